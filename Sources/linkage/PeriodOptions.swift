import ArgumentParser
import LinkageModel

/// --year and --as-of: the period of a check or a report (CheckPeriod).
struct PeriodOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The year whose visits and activities count (default: the year of --as-of).", valueName: "year"))
    var year: Int?

    @Option(name: .customLong("as-of"), help: ArgumentHelp("The day links and quotas are taken on (default: the end of --year, else today).", valueName: "date"))
    var asOf: String?

    /// The period, or an input error (exit 2) saying what is wrong with the dates.
    func period() throws -> CheckPeriod {
        do {
            return try CheckPeriod(year: year, asOf: asOf)
        } catch let e as QueryError {
            throw Failure.input(e.message)
        }
    }
}
