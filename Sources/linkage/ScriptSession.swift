@preconcurrency import Glibc
import LinkageConsole
import LinkageModel
import LinkageScripting
import LuaBridge

extension ScriptOptions {
    /// Runs `body` as the run's one session on `engine` and reports how it ended: the dry-run
    /// report, or a COMMIT that failed (exit 1, everything rolled back). A script's `os.exit`
    /// ends the same way, from inside the script.
    /// Personal data masked in text linkage itself prints, unless --show-pii.
    func mask(_ text: String) -> String { showPII ? text : Privacy.mask(text) }

    func runSession(_ engine: ScriptEngine, audit: AuditSource, _ body: () throws -> Void) throws {
        let mask = self.mask
        let report = { (outcome: SessionOutcome) in
            if case .dryRun(let changes) = outcome { print(ChangeReport.text(changes, mask: mask)) }
        }
        engine.onExit = { code, result in
            switch result {
            case .success(let outcome):
                report(outcome)
                fflush(nil)
                Glibc.exit(code)
            case .failure(let error):
                fail(1, Failure.database(error, readOnly: readOnly)?.message ?? "\(error)")
            }
        }
        do {
            report(try engine.runSession(audit: audit, dryRun: dryRun, body))
        } catch let error as SessionError {
            throw Failure(code: error.isAnotherWriter ? 75 : 1, message: error.description)
        } catch let error as LuaScriptError {
            // error("… " .. h.resident_id) must not print it whole either.
            let shown = showPII ? error : LuaScriptError(kind: error.kind, message: mask(error.message),
                                                         traceback: error.traceback.map(mask), stopReason: error.stopReason)
            // Another process was writing: a temporary failure (EX_TEMPFAIL), for cron to retry.
            if engine.metAnotherWriter { throw Failure(code: 75, message: shown.description) }
            throw shown
        }
    }
}
