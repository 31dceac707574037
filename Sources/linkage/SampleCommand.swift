@preconcurrency import Glibc
import ArgumentParser
import Foundation
import LinkageModel
import LinkageSample

struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Fill a new register with a realistic sample: the seed district, the province, the nation.",
        discussion: """
            district is Qinzhou (秦州区) as the seed describes it: its 16 towns and 7 subdistricts, 214 \
            poor villages, 41 communities, 7,000 rural and 790 urban households, its units and 7,000+ \
            cadres. province is Gansu (≈ 1,000,000 households, ≈ 410,000 cadres), nation the 2014 \
            register (≈ 29,500,000 households; tens of GB and many minutes). A number N gives N \
            households with everything else in the district's proportions. The year 2012 is filled \
            with visits, activities, problems and surveys, most meeting the standards and some not. \
            The same --seed gives the same register. Only an empty register is filled.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(name: .long, help: ArgumentHelp("district, province, nation, or a number of households.", valueName: "scale"))
    var scale: String = "district"

    @Option(name: .long, help: ArgumentHelp("The seed: the same seed gives the same register.", valueName: "n"))
    var seed: UInt64 = 1

    @Option(name: .long, help: ArgumentHelp("none, partial (about 70%) or full.", valueName: "how"))
    var linked: String = "full"

    @Flag(name: .long, help: "Enforce every constraint and trigger on every row and audit each row (about 3 times slower; the data is the same).")
    var checked = false

    func run() throws {
        guard let scale = SampleScale(scale) else {
            throw Failure.input("--scale must be district, province, nation or a number of households from 1 to 100000000, not '\(self.scale)'")
        }
        guard let linked = SampleLinkage(rawValue: linked.lowercased()) else {
            throw Failure.input("--linked must be none, partial or full, not '\(self.linked)'")
        }
        let path = database.path
        let newFile = SampleCommand.isNewFile(path)
        let register = try database.open()
        if let held = try register.queue.read({ try SampleGenerator.heldRows($0) }) {
            throw Failure.input("register \(path) already holds \(held); linkage sample fills only an empty register: use a new --db path")
        }
        let interactive = isatty(STDERR_FILENO) == 1
        var lastShown = -1
        let report: SampleReport
        do {
            report = try SampleGenerator.generate(into: register, options: SampleOptions(
                scale: scale, seed: seed, linked: linked, newFile: newFile, checked: checked,
                audit: AuditSource(osUser: ScriptOptions.osUser, source: "sample",
                                   command: "linkage sample --scale \(self.scale) --seed \(seed) --linked \(linked.rawValue)\(checked ? " --checked" : "")"))) { p in
                guard interactive, p.counties > 1 else { return }
                let percent = p.countiesDone * 100 / p.counties
                guard percent != lastShown else { return }
                lastShown = percent
                fputs("\rsample: \(percent)% (\(p.countiesDone) of \(p.counties) counties, \(SampleCommand.grouped(p.households)) households)", stderr)
                if p.countiesDone == p.counties { fputs("\n", stderr) }
            }
        } catch let error as SampleError {
            throw Failure.input(error.message)
        }
        print("sample register \(path): \(scale), seed \(seed), links \(linked.rawValue)")
        let width = report.rows.map(\.table.count).max() ?? 5
        for (table, count) in report.rows {
            print("  " + table.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + SampleCommand.grouped(count).leftPadded(to: 12))
        }
        let rate = report.seconds > 0 ? Int(Double(report.totalRows) / report.seconds) : 0
        print("  " + "total".padding(toLength: width, withPad: " ", startingAt: 0) + "  "
              + SampleCommand.grouped(report.totalRows).leftPadded(to: 12)
              + " rows in " + String(format: "%.2f", report.seconds) + " s (" + SampleCommand.grouped(rate) + " rows/s)")
        if !checked {
            print("bulk load: triggers and CHECK constraints not run per row (--checked runs them; same data), foreign keys checked at the end\(report.indexesRebuilt ? ", indexes built after loading" : ""); audit log: one entry per table")
        }
        if report.householdQuotaFactor > 1 {
            print("quota_rule: household numbers ×\(report.householdQuotaFactor), so that the scale's cadres can link all its households")
        }
    }

    /// A file that does not exist yet, or is empty: generation may skip the WAL and fsync.
    static func isNewFile(_ path: String) -> Bool {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return true }
        let size = (attributes[.size] as? Int) ?? 0
        let wal = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
        return size == 0 && wal == 0
    }

    /// 1234567 → 1,234,567.
    static func grouped(_ n: Int) -> String {
        let digits = String(abs(n))
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return (n < 0 ? "-" : "") + out
    }
}

private extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
