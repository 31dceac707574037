import Foundation
import LinkageModel

/// A CSV file read as a stream: a chunk of about a MiB at a time from the disk, each chunk cut
/// after its last line break, decoded (``TextDecoder``) and fed to the parser (``CSVParser``), so
/// memory stays flat however long the file is, and the records keep their physical line numbers.
/// Each pass (``records(_:)``) reads the file again from its start.
struct CSVFile: Sendable {
    let path: String
    let encoding: TextEncoding
    let separator: Unicode.Scalar
    /// Bytes before the text: a UTF-8 byte-order mark.
    let skip: Int
    /// The bytes read from the disk at a time (a test makes it small, to cut records anywhere).
    let chunkSize: Int

    /// Opens `path` and tells its encoding and separator by its first bytes: a byte-order mark, or
    /// else ``TextDecoding``'s rule applied to the first chunk that has a byte that is not ASCII
    /// (a file of ASCII alone is UTF-8). Reads no further than that chunk.
    init(path: String, chunkSize: Int = 1 << 20) throws {
        self.path = path
        self.chunkSize = chunkSize
        var chunks = try Chunks(path: path, skip: 0, size: chunkSize, cutAfterLineBreaks: true)
        guard let first = try chunks.next() else { throw ExchangeError("\(path) is empty") }
        if let mark = TextDecoding.byteOrderMark(first) {
            encoding = mark.encoding
            skip = mark.length
            if encoding == .utf16 {
                // The first line, decoded: UTF-16's bytes are not cut at line breaks.
                var whole = try Chunks(path: path, skip: 0, size: chunkSize, cutAfterLineBreaks: false)
                var decoder = try TextDecoder(.utf16)
                var text: [UInt8] = []
                while !text.contains(where: { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }),
                      let piece = try whole.next(), let decoded = try? decoder.decode(piece[...]) { text += decoded }
                separator = CSV.separator(ofUTF8: text)
            } else {
                separator = CSV.separator(ofUTF8: first.dropFirst(skip))
            }
            return
        }
        skip = 0
        // ASCII separators and line breaks never occur inside a GB18030 or UTF-8 character.
        separator = CSV.separator(ofUTF8: first)
        var piece = first
        while !piece.contains(where: { $0 >= 0x80 }) {
            guard let next = try chunks.next() else { encoding = .utf8; return }
            piece = next
        }
        encoding = TextDecoding.detect(piece)
    }

    /// Every record of the file in order. A quote never closed, or bytes that do not decode, are an
    /// `ExchangeError` naming the file and the line.
    func records(_ each: (CSVRecord) throws -> Void) throws {
        var chunks = try Chunks(path: path, skip: skip, size: chunkSize, cutAfterLineBreaks: encoding != .utf16)
        var decoder = try TextDecoder(encoding)
        var parser = CSVParser(separator: separator)
        var offset = skip
        var afterCR = false
        do {
            while let piece = try chunks.next() {
                let text: [UInt8]
                do { text = try decoder.decode(piece[...]) } catch let failure as TextDecoder.Failure {
                    // The line of the bad byte: the parser's line where the piece starts, and the
                    // line breaks in the piece before it (not for UTF-16, whose bytes are not ASCII's).
                    let line = encoding == .utf16 ? nil
                        : parser.line + Self.lineBreaks(piece[..<failure.offset], afterCR: afterCR)
                    throw ExchangeError(TextDecoding.message(failure, bytes: piece[failure.offset...],
                                                             offset: offset + failure.offset, line: line))
                }
                try text.withUnsafeBufferPointer { try parser.feed($0, each: each) }
                offset += piece.count
                afterCR = piece.last == UInt8(ascii: "\r")
            }
            try decoder.finish()
            try parser.finish(each: each)
        } catch let e as ExchangeError {
            throw ExchangeError("\(path): \(e.message)")
        }
    }

    /// The line breaks in `bytes` as the parser counts them: LF, CRLF or a lone CR; an LF first
    /// ends the CR before the piece.
    static func lineBreaks(_ bytes: ArraySlice<UInt8>, afterCR: Bool) -> Int {
        var count = 0
        var previous: UInt8 = afterCR ? UInt8(ascii: "\r") : 0
        for b in bytes {
            if b == UInt8(ascii: "\r") || (b == UInt8(ascii: "\n") && previous != UInt8(ascii: "\r")) { count += 1 }
            previous = b
        }
        return count
    }

    /// A file's bytes a chunk at a time, each piece (with `cutAfterLineBreaks`) ending after a line
    /// break or at the end of the file: the rest waits for the next piece. A line longer than a
    /// chunk makes a longer piece.
    struct Chunks {
        private let handle: FileHandle
        private let size: Int
        private let cut: Bool
        private var carry: [UInt8] = []

        init(path: String, skip: Int, size: Int, cutAfterLineBreaks: Bool) throws {
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw ExchangeError("cannot read \(path): permission denied")
            }
            if skip > 0 { try handle.seek(toOffset: UInt64(skip)) }
            self.handle = handle
            self.size = size
            self.cut = cutAfterLineBreaks
        }

        mutating func next() throws -> [UInt8]? {
            while true {
                guard let data = try handle.read(upToCount: size), !data.isEmpty else {
                    if carry.isEmpty { try? handle.close(); return nil }
                    defer { carry = [] }
                    return carry
                }
                let searched = carry.count
                carry.append(contentsOf: data)
                guard cut else { defer { carry = [] }; return carry }
                if let last = carry[searched...].lastIndex(where: { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }) {
                    let piece = Array(carry[...last])
                    carry.removeSubrange(...last)
                    return piece
                }
            }
        }
    }
}
