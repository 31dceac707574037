import Foundation
import LinkageModel

/// A report's formats and its file, one place for the command line and Lua: the format a name
/// asks for, and the file written whole beside its place and renamed into it, so a failure leaves
/// no half-written file and never replaces a good one.
public enum ReportFormat: String, CaseIterable, Sendable {
    case html, xlsx, markdown

    /// The format of a file name (`.html`, `.htm`, `.xlsx`, `.md`, `.markdown`), or nil.
    public init?(path: String) {
        switch (path as NSString).pathExtension.lowercased() {
        case "html", "htm": self = .html
        case "xlsx": self = .xlsx
        case "md", "markdown": self = .markdown
        default: return nil
        }
    }

    /// The text of the report in a text format (nil for XLSX, a file format).
    public func text(_ report: Report) -> String? {
        switch self {
        case .html: return HTMLReport.render(report)
        case .markdown: return MarkdownReport.render(report)
        case .xlsx: return nil
        }
    }

    /// Writes `report` to `path` in this format. Errors are ExchangeError, with the path.
    public func write(_ report: Report, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        do {
            if let text = text(report) { try Data(text.utf8).write(to: temporary) } else { try XLSXReport.write(report, to: temporary.path) }
            // rename(2) replaces the old file in one step
            guard rename(temporary.path, url.path) == 0 else { throw NSError(domain: NSPOSIXErrorDomain, code: Int(errno)) }
        } catch let e as ExchangeError {
            try? FileManager.default.removeItem(at: temporary)
            throw ExchangeError(e.message.replacingOccurrences(of: temporary.path, with: path))
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw ExchangeError("cannot write \(path): \((error as NSError).localizedDescription); check that its directory exists and is writable")
        }
    }
}
