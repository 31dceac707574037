/// A failure the user caused, with the exit code it means: 1 the script or check failed,
/// 2 usage or input error (missing file, unreadable or refused register).
struct Failure: Error {
    let code: Int32
    let message: String

    static func script(_ message: String) -> Failure { Failure(code: 1, message: message) }
    static func input(_ message: String) -> Failure { Failure(code: 2, message: message) }
}
