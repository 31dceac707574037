import Foundation
import LinkageModel
import LinkageExchange

extension DatabaseOptions {
    /// Opens the register read-only for a command that writes a file, with the files that file
    /// may never be (the register's and those SQLite keeps beside it); `output` naming one is an
    /// input error before anything is read.
    func openReadOnly(writingTo output: String?) throws -> (register: Register, protected: [String]) {
        let register = try open(mode: .readOnly)
        do {
            let files = try register.queue.read { db in try ExportTarget.databaseFiles(db) } + [register.path]
            if let output { try ExportTarget.refuse(output, ifItIsAFileOf: files) }
            return (register, files)
        } catch let e as ExchangeError {
            throw Failure.input(e.message)
        }
    }
}

enum ReadOnlyOutput {
    /// Runs `body` with the file `path` opened for writing (created or emptied), or standard output.
    /// A body that throws leaves no half-written file behind.
    static func stream<T>(to path: String?, _ body: (FileHandle) throws -> T) throws -> T {
        guard let path else { return try body(FileHandle.standardOutput) }
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw Failure.input("cannot write \(path): check that its directory exists and is writable")
        }
        do {
            let value = try body(handle)
            try handle.close()
            return value
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
    }
}
