import ArgumentParser
import Foundation
import LinkageModel
import LinkageExchange

/// What `linkage card` and `linkage log` share: whose material, in which format, to which file.
struct MaterialOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("A cadre, by id.", valueName: "id"))
    var cadre: Int64?

    @Option(name: .long, help: ArgumentHelp("A unit, by name or id: its cadres (and the unit itself).", valueName: "name-or-id"))
    var unit: String?

    @Option(name: .long, help: ArgumentHelp("A township or subdistrict, by name or 9-digit code: its villages, communities and households.", valueName: "name"))
    var township: String?

    @Option(name: .long, help: ArgumentHelp("text, markdown, xlsx, csv or json (default: from -o, else text).", valueName: "format"))
    var format: String?

    @Option(name: .shortAndLong, help: ArgumentHelp("The file to write (default: standard output).", valueName: "file"))
    var output: String?

    /// The formats: aligned text with a title, or one of the export formats.
    enum Format: Equatable {
        case text
        case export(ExportFormat)

        var name: String {
            switch self {
            case .text: return "text"
            case .export(let f): return f.rawValue
            }
        }
    }

    func chosenFormat() throws -> Format {
        if let format {
            let name = format.lowercased()
            if name == "text" || name == "txt" { return .text }
            guard let f = ExportFormat(rawValue: name == "md" ? "markdown" : name) else {
                throw Failure.input("unknown format '\(format)'; the formats are text, \(ExportFormat.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return .export(f)
        }
        return output.flatMap { ExportFormat(path: $0) }.map { .export($0) } ?? .text
    }

    func validate() throws {
        guard [cadre != nil, unit != nil, township != nil].filter({ $0 }).count == 1 else {
            throw ValidationError("give one of --cadre ID, --unit NAME_OR_ID or --township NAME")
        }
    }

    /// Opens the register read-only, makes the material and writes it: masked unless `showPII`,
    /// never over the register's files.
    func run(_ kind: MaterialKind, database: DatabaseOptions, showPII: Bool, sheet: String) throws {
        let format = try chosenFormat()
        if case .export(.xlsx) = format, output == nil { throw Failure.input("xlsx is a file format; give -o FILE.xlsx") }
        let (register, registerFiles) = try database.openReadOnly(writingTo: output)
        var material: Material
        do {
            material = try register.queue.read { db in
                try kind.make(db, for: try MaterialSubject.named(db, cadre: cadre, unit: unit, area: township))
            }
        } catch let e as QueryError {
            throw Failure.input(e.message)
        }
        if !showPII { material.table = material.table.masked() }
        let rows = material.table.rows.count
        do {
            switch (format, output) {
            case (.text, nil): print(material.text, terminator: "")
            case (.export(.markdown), nil): print(material.markdown, terminator: "")
            case (.export(.csv), nil): FileHandle.standardOutput.write(Exporter.csv(material.table))
            case (.export(.json), nil): print(Exporter.json(material.table), terminator: "")
            case (.text, let path?), (.export(.markdown), let path?):
                let text = format == .text ? material.text : material.markdown
                do { try Data(text.utf8).write(to: URL(fileURLWithPath: path)) } catch {
                    throw Failure.input("cannot write \(path): \((error as NSError).localizedDescription)")
                }
            case (.export(let f), let path?):
                try Exporter.write(material.table, format: f, to: path, sheetName: sheet, protecting: registerFiles)
            case (.export(.xlsx), nil): break // refused above
            }
        } catch let e as ExchangeError {
            throw Failure.input(e.message)
        }
        if let output {
            FileHandle.standardError.write(Data("wrote \(rows) row\(rows == 1 ? "" : "s") to \(output) (\(format.name))\n".utf8))
        }
    }
}
