import ArgumentParser
import Foundation
import LinkageModel

/// --jobs: how many connections (cores) a check or a report may read the register on at once.
struct JobsOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Read on at most this many connections at once (default: one per core; 1 for one). The output is the same either way.", valueName: "n"))
    var jobs: Int?

    func validate() throws {
        if let jobs, !(1...64).contains(jobs) { throw ValidationError("--jobs must be between 1 and 64; got \(jobs)") }
    }

    /// The register's parallel reads, as wide as --jobs allows.
    func reads(_ register: Register) -> ParallelReads {
        let all = register.parallelReads
        return ParallelReads(width: jobs ?? all.width, open: all.open)
    }
}
