import Foundation
import GRDB
import LinkageModel

/// Where an export may not write: a register's file and the files SQLite keeps beside it. Paths
/// are compared resolved (symbolic links followed, `..` and relative paths made absolute) and
/// existing files by identity (device and inode), so neither `./r.db`, a link to it, a hard link
/// nor `r.db-wal` before it exists gets past.
public enum ExportTarget {
    /// The side files SQLite names after a database: its write-ahead log, shared memory and
    /// rollback journal.
    static let sideFiles = ["-wal", "-shm", "-journal"]

    /// The files of the databases `db` has open: the register and any attached one.
    public static func databaseFiles(_ db: Database) throws -> [String] {
        try Row.fetchAll(db, sql: "PRAGMA database_list").compactMap { row in
            let file: String? = row["file"]
            return file.flatMap { $0.isEmpty ? nil : $0 }
        }
    }

    /// Throws when `output` is one of `databases` or their side files.
    public static func refuse(_ output: String, ifItIsAFileOf databases: [String]) throws {
        guard !databases.isEmpty else { return }
        let target = resolved(output)
        let targetIdentity = identity(output)
        for database in databases {
            for suffix in [""] + sideFiles {
                // SQLite names the side files after the path it was given; protect the link's and the target's.
                for protected in Set([database + suffix, resolved(database) + suffix]) {
                    let same = resolved(protected) == target
                        || (targetIdentity != nil && identity(protected).map { $0 == targetIdentity! } == true)
                    guard same else { continue }
                    let what = suffix.isEmpty ? "the register \(database)" : "\(database)\(suffix), a file SQLite keeps beside the register"
                    throw ExchangeError("cannot write \(output): it is \(what); an export never writes over the register. Give another file name")
                }
            }
        }
    }

    /// Device and inode of the file `path` names (links followed), nil when there is none.
    static func identity(_ path: String) -> (dev: UInt64, ino: UInt64)? {
        var s = stat()
        guard stat(path, &s) == 0 else { return nil }
        return (UInt64(s.st_dev), UInt64(s.st_ino))
    }

    /// The absolute path `path` names with every symbolic link followed; for a file that does not
    /// exist yet, its directory resolved and its name as given (a dangling link, where it points).
    public static func resolved(_ path: String, depth: Int = 0) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        if let r = realpath(absolute, nil) {
            defer { free(r) }
            return String(cString: r)
        }
        var s = stat()
        if depth < 40, lstat(absolute, &s) == 0, s.st_mode & S_IFMT == S_IFLNK,
           let target = try? FileManager.default.destinationOfSymbolicLink(atPath: absolute) {
            let directory = (absolute as NSString).deletingLastPathComponent
            return resolved(target.hasPrefix("/") ? target : directory + "/" + target, depth: depth + 1)
        }
        let directory = (absolute as NSString).deletingLastPathComponent, name = (absolute as NSString).lastPathComponent
        guard directory != absolute, !directory.isEmpty else { return (absolute as NSString).standardizingPath }
        let parent = resolved(directory, depth: depth + 1)
        // `..` and `.` of a directory that does not exist yet: the kernel would fail on them, but a
        // path compared as text must not keep them (`sub/../../x` is outside, whatever sub is).
        switch name {
        case "..": return (parent as NSString).deletingLastPathComponent
        case ".": return parent
        default: return (parent as NSString).appendingPathComponent(name)
        }
    }
}
