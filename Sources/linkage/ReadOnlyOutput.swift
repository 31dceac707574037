import Foundation
import LinkageModel

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
