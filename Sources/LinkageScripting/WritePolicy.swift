import Foundation

/// Where a script may write files. Never over the register or its `-wal`, `-shm` and `-journal`
/// files, in any mode (judged by where the path really leads, symbolic links and hard links
/// included); under `--safe`, only inside the working directory it started in.
public struct WritePolicy: Sendable {
    let register: String
    let registerFile: FileIdentity?
    /// The working directory, resolved, when writes are confined to it.
    let confinedTo: String?

    public init(registerPath: String, safe: Bool) {
        let cwd = FileManager.default.currentDirectoryPath
        register = WritePolicy.resolve(registerPath, from: cwd)
        registerFile = FileIdentity(path: register)
        confinedTo = safe ? WritePolicy.resolve(".", from: cwd) : nil
    }

    /// Why `path` may not be written, or nil when it may.
    public func refusal(for path: String) -> String? {
        let target = WritePolicy.resolve(path, from: FileManager.default.currentDirectoryPath)
        let sideFiles = ["", "-wal", "-shm", "-journal"].map { register + $0 }
        if sideFiles.contains(target) || (registerFile != nil && FileIdentity(path: target) == registerFile) {
            return "this is the register\(target == register ? "" : "'s own side file") (\(register)); write the output to another file"
        }
        if let root = confinedTo, target != root, !target.hasPrefix(root == "/" ? "/" : root + "/") {
            return "--safe mode writes files only inside the working directory (\(root))"
        }
        return nil
    }

    /// The absolute path `path` leads to: each existing prefix with its symbolic links resolved,
    /// the rest (a file to be created) appended as written.
    static func resolve(_ path: String, from cwd: String) -> String {
        var current = "/"
        let start = path.hasPrefix("/") ? path : cwd + "/" + path
        for part in start.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..": current = (current as NSString).deletingLastPathComponent
            default:
                let next = current == "/" ? "/" + part : current + "/" + part
                if let real = realpath(next, nil) {
                    current = String(cString: real)
                    free(real)
                } else {
                    current = next
                }
            }
        }
        return current
    }
}

/// A file's device and inode: two paths name the same file when these match (hard links).
struct FileIdentity: Equatable, Sendable {
    let device: UInt64
    let inode: UInt64

    init?(path: String) {
        var s = stat()
        guard stat(path, &s) == 0 else { return nil }
        device = UInt64(s.st_dev)
        inode = UInt64(s.st_ino)
    }
}
