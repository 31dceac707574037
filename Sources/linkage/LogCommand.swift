import ArgumentParser
import LinkageModel

/// `linkage log`: the linkage log (联村联户日志) of a year.
struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "The linkage log (联村联户日志) of a cadre, a unit or a township for a year.",
        discussion: """
            The dated record of the year's visits, talks, publicity sessions, activities of the six \
            actions and problems reported, in date order, then a 合计 row per kind. --cadre: that \
            cadre's; --unit: its cadres' and the unit's own; --township: everything done in the \
            township's or subdistrict's villages, communities and households. Resident IDs and phone \
            numbers are masked unless --show-pii. The register is opened read-only, and -o never \
            names the register or its files.
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var material: MaterialOptions

    @Option(name: .long, help: ArgumentHelp("The year (default: this year).", valueName: "year"))
    var year: Int?

    // --show-pii is ScriptOptions', as in `linkage export`.
    @OptionGroup var options: ScriptOptions

    func run() throws {
        let year = self.year ?? Int(DateText.today().prefix(4))!
        try material.run(.linkageLog(year: year), database: database, showPII: options.showPII, sheet: "联村联户日志")
    }
}
