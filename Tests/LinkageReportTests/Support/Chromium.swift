import Foundation
import XCTest

/// Headless Chromium (Debian's `chromium`, installed by scripts/setup.sh) for tests that look at an
/// HTML page as a browser lays it out: a PNG screenshot, a PDF print, and a measured layout.
///
/// Each run is a fresh browser with its own profile directory, no network (every host name fails
/// to resolve) and a device scale of 1, so a screenshot `width` pixels wide is `width` CSS pixels.
/// Chromium will not make a window narrower than 500 px, so a page is laid out inside an iframe of
/// exactly the width asked for (`framed`); the window is that wide too, so a screenshot shows the
/// frame and nothing else.
struct Chromium {
    let executable: String
    /// How long one run may take before it is stopped and the test fails.
    var timeout: TimeInterval = 60
    /// Each run's arguments (beyond the common flags) and seconds, for the test's log.
    private(set) var runs: [(what: String, seconds: Double)] = []

    /// The flags of every run. `--no-sandbox`: tests run as root, where Chromium's sandbox refuses
    /// to start; `--disable-gpu`: there is none; `--disable-dev-shm-usage`: containers may have a
    /// small /dev/shm; `--host-resolver-rules`: a page that tries to load anything from a host gets
    /// nothing, so what renders is what the file holds.
    static let commonFlags = [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
        "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--mute-audio",
        "--force-device-scale-factor=1", "--host-resolver-rules=MAP * ~NOTFOUND",
    ]

    /// Chromium from PATH, or nil when it is not installed.
    static func find() -> Chromium? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            for name in ["chromium", "chromium-browser", "google-chrome"] {
                let candidate = "\(dir)/\(name)"
                if FileManager.default.isExecutableFile(atPath: candidate) { return Chromium(executable: candidate) }
            }
        }
        return nil
    }

    /// Chromium, or the test stops: under CI (`CI` set) a missing browser is a failure, since the
    /// render tests must run there; elsewhere the test is skipped with a message saying how to get it.
    static func required(file: StaticString = #filePath, line: UInt = #line) throws -> Chromium {
        if let chromium = find() { return chromium }
        let message = "chromium is not installed: run `. scripts/setup.sh` (apt-get install chromium fonts-noto-cjk)"
        if ProcessInfo.processInfo.environment["CI"] != nil { throw ChromiumError.notInstalled(message) }
        throw XCTSkip(message, file: file, line: line)
    }

    // MARK: - What a test asks for

    /// A PNG of the page laid out `width` × `height` CSS pixels (the top `height` pixels of it).
    mutating func screenshot(of html: String, width: Int, height: Int, to png: URL) throws {
        let page = try scratchFile(Chromium.framed(html, width: width, height: height, probe: false), "png-page.html")
        try? FileManager.default.removeItem(at: png)
        _ = try run("screenshot \(width)x\(height)", ["--window-size=\(width),\(height)", "--screenshot=\(png.path)", page.absoluteString])
        guard FileManager.default.fileExists(atPath: png.path) else { throw ChromiumError.noOutput("screenshot", png.path) }
    }

    /// The page printed to PDF as Chromium's print does it (the page's own `@page` size and
    /// margins; no header or footer with a date or the file's path).
    mutating func printToPDF(_ html: String, to pdf: URL) throws {
        let page = try scratchFile(html, "pdf-page.html")
        try? FileManager.default.removeItem(at: pdf)
        _ = try run("print to PDF", ["--no-pdf-header-footer", "--print-to-pdf=\(pdf.path)", page.absoluteString])
        guard FileManager.default.fileExists(atPath: pdf.path) else { throw ChromiumError.noOutput("PDF", pdf.path) }
    }

    /// The page printed to PDF as `printToPDF` does, with `PrintProbe.script` added: how it was
    /// laid out on paper `paperWidth` CSS pixels wide (less the margins). The PDF's title is then
    /// the probe's result.
    mutating func printToPDFMeasured(_ html: String, to pdf: URL, paperWidth: Int) throws -> PrintLayout {
        try printToPDF(PrintProbe.added(to: html, paperWidth: paperWidth), to: pdf)
        guard let title = try RenderedFiles.pdfTitle(pdf), title.hasPrefix(PrintProbe.marker) else {
            throw ChromiumError.noOutput("print measure", "the PDF's title is \(String(describing: try RenderedFiles.pdfTitle(pdf)))")
        }
        return try JSONDecoder().decode(PrintLayout.self, from: Data(title.dropFirst(PrintProbe.marker.count).utf8))
    }

    /// The page laid out `width` CSS pixels wide, measured by `LayoutProbe.script`.
    mutating func layout(of html: String, width: Int) throws -> PageLayout {
        let page = try scratchFile(Chromium.framed(html, width: width, height: 900, probe: true), "probe-page.html")
        let dom = try run("layout at \(width)", ["--window-size=\(max(width, 500)),900", "--dump-dom", page.absoluteString])
        let start = "<script type=\"application/json\" id=\"layout-result\">"
        guard let open = dom.range(of: start), let close = dom.range(of: "</script>", range: open.upperBound..<dom.endIndex) else {
            throw ChromiumError.noOutput("layout measure", String(dom.suffix(500)))
        }
        return try JSONDecoder().decode(PageLayout.self, from: Data(dom[open.upperBound..<close.lowerBound].utf8))
    }

    // MARK: - The page, framed

    /// A page holding `html` in an iframe `width` × `height` CSS pixels (its `srcdoc`, so the outer
    /// page may read it), and with `probe` the script that measures it when it has loaded.
    static func framed(_ html: String, width: Int, height: Int, probe: Bool) -> String {
        let source = html.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
        return """
        <!DOCTYPE html><html><head><meta charset="utf-8"><style>html,body{margin:0}iframe{display:block;border:0}</style></head>
        <body><iframe id="page" width="\(width)" height="\(height)" srcdoc="\(source)"></iframe>
        \(probe ? "<script>\(LayoutProbe.script)</script>" : "")</body></html>
        """
    }

    // MARK: - Running it

    private var scratch: URL?

    private mutating func scratchFile(_ contents: String, _ name: String) throws -> URL {
        if scratch == nil {
            scratch = FileManager.default.temporaryDirectory.appendingPathComponent("linkage-chromium-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: scratch!, withIntermediateDirectories: true)
        }
        let url = scratch!.appendingPathComponent(name)
        try Data(contents.utf8).write(to: url)
        return url
    }

    /// Runs Chromium with the common flags and `arguments`; returns what it wrote to stdout.
    private mutating func run(_ what: String, _ arguments: [String]) throws -> String {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("linkage-chromium-profile-\(UUID().uuidString)")
        let output = profile.appendingPathExtension("out"), errors = profile.appendingPathExtension("err")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        defer { for url in [profile, output, errors] { try? FileManager.default.removeItem(at: url) } }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Chromium.commonFlags + ["--user-data-dir=\(profile.path)"] + arguments
        // Files, not pipes: a page's DOM can be larger than a pipe's buffer, and Chromium's
        // stderr (D-Bus complaints in a container) must not block it.
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        process.standardInput = FileHandle.nullDevice
        let started = Date()
        try process.run()
        while process.isRunning && Date().timeIntervalSince(started) < timeout { usleep(20_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            throw ChromiumError.timedOut(what, timeout)
        }
        let seconds = Date().timeIntervalSince(started)
        runs.append((what, seconds))
        let stdout = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            let stderr = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
            throw ChromiumError.failed(what, process.terminationStatus, String(stderr.suffix(2000)))
        }
        return stdout
    }

    /// Removes the scratch files; the output files a test named are its own.
    func cleanUp() {
        if let scratch { try? FileManager.default.removeItem(at: scratch) }
    }
}

enum ChromiumError: Error, CustomStringConvertible {
    case notInstalled(String)
    case timedOut(String, TimeInterval)
    case failed(String, Int32, String)
    case noOutput(String, String)

    var description: String {
        switch self {
        case .notInstalled(let message): return message
        case .timedOut(let what, let limit): return "chromium (\(what)) ran longer than \(Int(limit)) s and was stopped"
        case .failed(let what, let status, let stderr): return "chromium (\(what)) exited \(status):\n\(stderr)"
        case .noOutput(let what, let detail): return "chromium (\(what)) wrote nothing: \(detail)"
        }
    }
}
