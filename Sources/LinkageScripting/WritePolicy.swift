import Foundation
import LinkageModel
import LinkageExchange

/// Where a script may write files (io.open, io.output, os.remove, os.rename, export.*): never over
/// the register or its side files, in any mode (ExportTarget decides that); under `--safe`, only
/// inside the working directory it started in, judged by where the path really leads.
public struct WritePolicy: Sendable {
    let databases: [String]
    /// The working directory, resolved, when writes are confined to it.
    let confinedTo: String?

    public init(databases: [String], safe: Bool) {
        self.databases = databases
        confinedTo = safe ? ExportTarget.resolved(FileManager.default.currentDirectoryPath) : nil
    }

    /// Why `path` may not be written ("cannot write PATH: …"), or nil when it may.
    public func refusal(for path: String) -> String? {
        if path.contains("\0") { return "cannot write \(path.replacingOccurrences(of: "\0", with: "\\0")): a file name cannot hold a NUL byte" }
        if path.isEmpty { return "cannot write to an empty file name" }
        do {
            try ExportTarget.refuse(path, ifItIsAFileOf: databases)
        } catch let error as ExchangeError {
            return error.message
        } catch {
            return "\(error)"
        }
        if let root = confinedTo {
            let target = ExportTarget.resolved(path)
            if target != root, !target.hasPrefix(root == "/" ? "/" : root + "/") {
                return "cannot write \(path): --safe mode writes files only inside the working directory (\(root))"
            }
        }
        return nil
    }
}
