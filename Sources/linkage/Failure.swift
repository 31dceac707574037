import LinkageModel

/// A failure the user caused, with the exit code it means: 1 the script or check failed,
/// 2 usage or input error (missing file, unreadable or refused register), 75 another process held
/// the register's write lock.
struct Failure: Error {
    let code: Int32
    let message: String

    static func script(_ message: String) -> Failure { Failure(code: 1, message: message) }
    static func input(_ message: String) -> Failure { Failure(code: 2, message: message) }

    /// An error of the register (GRDB's `DatabaseError`) in linkage's words (`DatabaseFailure`),
    /// after `context` ("the query failed: "): exit 75 when another process held the write lock,
    /// else 2. Nil for any other error. `readOnly`: the command opened the register read-only.
    static func database(_ error: any Error, readOnly: Bool = false, context: String = "") -> Failure? {
        guard let failure = DatabaseFailure.from(error, readOnlySession: readOnly) else { return nil }
        return Failure(code: failure.isAnotherWriter ? 75 : 2, message: context + failure.message)
    }
}
