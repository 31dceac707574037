import Foundation

/// The few facts a render test reads from Chromium's output files, without a library.
enum RenderedFiles {
    /// A PNG's width and height, from its IHDR chunk (bytes 16–23, big-endian), or nil when the
    /// file is not a PNG.
    static func pngSize(_ url: URL) throws -> (width: Int, height: Int)? {
        let data = try Data(contentsOf: url)
        guard data.count >= 24, data.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
              String(decoding: data[12..<16], as: UTF8.self) == "IHDR" else { return nil }
        let int = { (at: Int) in data[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (int(16), int(20))
    }

    /// The document's title as Chromium writes it into a PDF (`/Title (…)`, a literal string with
    /// `\`, `(` and `)` escaped by a backslash), or nil when there is none or it is not ASCII
    /// (then Chromium writes it as UTF-16 hex).
    static func pdfTitle(_ url: URL) throws -> String? {
        let text = String(decoding: try Data(contentsOf: url), as: Unicode.ASCII.self)
        guard let start = text.range(of: "/Title (") else { return nil }
        var out = "", escaped = false
        for c in text[start.upperBound...] {
            if escaped { out.append(c); escaped = false } else if c == "\\" { escaped = true } else if c == ")" { return out } else { out.append(c) }
        }
        return nil
    }

    /// The size in points of each page of a PDF as Chromium writes it (each page object's
    /// `/MediaBox [0 0 w h]` stands in the file uncompressed), rounded to whole points.
    static func pdfPageSizes(_ url: URL) throws -> [(width: Int, height: Int)] {
        let text = String(decoding: try Data(contentsOf: url), as: Unicode.ASCII.self)
        guard text.hasPrefix("%PDF-") else { return [] }
        var sizes: [(Int, Int)] = []
        var rest = text[...]
        while let r = rest.range(of: "/MediaBox [") {
            rest = rest[r.upperBound...]
            let numbers = rest.prefix(while: { $0 != "]" }).split(separator: " ").compactMap { Double($0) }
            if numbers.count == 4 { sizes.append((Int((numbers[2] - numbers[0]).rounded()), Int((numbers[3] - numbers[1]).rounded()))) }
        }
        return sizes
    }
}
