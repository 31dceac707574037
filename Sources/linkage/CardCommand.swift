import ArgumentParser
import LinkageModel

/// `linkage card`: the contact cards (联系卡) to post in linked households.
struct CardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "card",
        abstract: "Contact cards (联系卡) of the households a cadre, a unit or a township links.",
        discussion: """
            One row per household linked on --as-of (default today) and its linking cadre: the \
            household's township, village, group and head; the cadre's name, unit, title and phone; \
            the units linking the village. --cadre: that cadre's households; --unit: those its cadres \
            link; --township: those in the township or subdistrict. Phone numbers are masked unless \
            --show-pii. The register is opened read-only, and -o never names the register or its files.
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var material: MaterialOptions

    @Option(name: .customLong("as-of"), help: ArgumentHelp("The day links are asked about (default: today).", valueName: "date"))
    var asOf: String?

    // --show-pii is ScriptOptions', as in `linkage export`.
    @OptionGroup var options: ScriptOptions

    func run() throws {
        let day: String
        do { day = try asOf.map { try DateText.check($0, field: "--as-of") } ?? DateText.today() } catch { throw Failure.input("\(error)") }
        try material.run(.contactCard(asOf: day), database: database, showPII: options.showPII, sheet: "联系卡")
    }
}
