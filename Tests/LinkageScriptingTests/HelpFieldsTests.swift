import Foundation
import LinkageModel
import LuaBridge
import XCTest
@testable import LinkageScripting

/// help() of a collection lists its fields; help() of a function finds its entry even when the
/// catalog documents it under another name; help() of a record lists its methods, each documented.
final class HelpFieldsTests: RegisterTestCase {
    override var usesFixture: Bool { true }

    /// What help(...) prints for the Lua expression `x`.
    private func help(_ x: String) throws -> String {
        let out = try run("""
            local lines, raw = {}, print
            print = function(s) lines[#lines + 1] = s end
            local ok, err = pcall(function() help(\(x)) end)
            print = raw
            assert(ok, err)
            return table.concat(lines, "\\n")
            """)
        return out.first?.stringValue ?? ""
    }

    func testCollectionListsColumnsRelationsAliasesVirtualFieldsAndMethods() throws {
        let text = try help("households")
        for word in ["resident_id", "head_name", "village_id", "village (village_id → village)", "township = village.area.name",
                     "linked:", "q:where{", "households:linked(date)", "q:count()"] {
            XCTAssertTrue(text.contains(word), "\(word) missing from:\n\(text)")
        }
        XCTAssertFalse(text.contains("cadres:eligible"), "a filter of another collection is listed:\n\(text)")
        XCTAssertTrue(text.contains("covered:"), "households have the coverage check's covered:\n\(text)")
        XCTAssertFalse(text.contains("eligible:"), text)
        // a chained query and the name as a string give the same help
        XCTAssertEqual(try help("households:where{ kind = 'rural' }"), text)
        XCTAssertEqual(try help("'households'"), text)
        let villages = try help("villages")
        XCTAssertTrue(villages.contains("covered:") && villages.contains("villages:uncovered(date)"), villages)
        // year applies where the table has a date, as VirtualField decides
        XCTAssertTrue(try help("visits").contains("year:"))
        XCTAssertFalse(text.contains("year:"), text)
    }

    func testFunctionsDocumentedUnderAnotherName() throws {
        XCTAssertTrue(try help("households.unlinked").hasPrefix("households:linked(date)   households:unlinked(date)"))
        XCTAssertTrue(try help("households.avg").hasPrefix("q:sum('field')"))
        XCTAssertTrue(try help("households.where").hasPrefix("q:where{"))
        XCTAssertTrue(try help("households:get(1).cadres").hasPrefix("household:cadres(date)"))
        XCTAssertTrue(try help("households:get(1).links").hasPrefix("record:visits{"))
        XCTAssertTrue(try help("households:get(1).update").hasPrefix("record:update{"))
        XCTAssertTrue(try help("areas:get(1).villages").hasPrefix("record:visits{"))
        XCTAssertTrue(try help("linkage.width").hasPrefix("linkage.pad("))
        // households is a relation through links on a cadre and by foreign key on a village
        XCTAssertTrue(try help("cadres:get(1).households").hasPrefix("household:cadres(date)"))
        XCTAssertTrue(try help("cadres:get(1).communities").hasPrefix("household:cadres(date)"))
        XCTAssertTrue(try help("villages:get(1).households").hasPrefix("record:visits{"))
        XCTAssertTrue(try help("units:get(1).cadres").hasPrefix("record:visits{"))
    }

    /// help(record) lists every relation the model declares for its table, each with its own
    /// parameter (a date through links, a filter by foreign key) and documented; the reference
    /// names them all.
    func testRecordHelpListsEveryRelationOfTheModel() throws {
        for (collection, table) in [("households", "household"), ("villages", "village"), ("communities", "village"),
                                    ("areas", "area"), ("units", "unit"), ("cadres", "cadre")] {
            let text = try help("\(collection):first()")
            let relations = Catalog.recordRelations(of: table)
            XCTAssertFalse(relations.isEmpty, table)
            for r in relations {
                let line = text.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(r.name + "(") }
                XCTAssertEqual(line.map { $0.trimmingCharacters(in: .whitespaces).prefix { $0 != ")" } + ")" },
                               "\(r.name)(\(r.isDated ? "date?" : "filter?"))", "\(collection): \(r.name)")
                XCTAssertTrue(line?.contains(r.isDated ? "The records linked with this one" : "The rows that belong to the record") == true, "\(line ?? "")")
                let reference = HelpCatalog.entry(r.isDated ? "record:cadres" : "record:visits")!.summary
                XCTAssertTrue(reference.contains(r.name), "\(r.table).\(r.name) missing from the reference")
            }
        }
        XCTAssertTrue(HelpCatalog.entry("record:cadres")!.summary.contains("cadre: households, villages, communities"))
        XCTAssertTrue(HelpCatalog.entry("record")!.summary.contains("communities(date)"))
    }

    /// Every method a record's metatable offers has a catalog signature for its table (so help
    /// and the editor stubs know it), and the catalog claims no method a record lacks.
    func testRecordHelpDocumentsEveryMethod() throws {
        try run("cadres:get(1):link(households:get(1), '2012-03-01')")
        for (collection, table) in [("households", "household"), ("villages", "village"), ("areas", "area"),
                                    ("units", "unit"), ("cadres", "cadre"), ("links", "link")] {
            let text = try help("\(collection):get(1)")
            XCTAssertTrue(text.hasPrefix("\(table) record. A record is a Lua table"), text)
            XCTAssertFalse(text.contains("(undocumented)"), text)
            let methods = text.components(separatedBy: "Methods:\n").last!.split(separator: "\n")
                .map { String($0.trimmingCharacters(in: .whitespaces).prefix { $0 != "(" }) }
            let catalogued = HelpCatalog.signatures.filter { $0.key.hasPrefix("record:") }.values.joined()
                .filter { $0.tables?.contains(table) ?? true }.map(\.name)
            XCTAssertEqual(Set(methods), Set(catalogued), table)
        }
    }

    /// Each function entry has a signature for the stubs.
    func testEveryFunctionEntryHasASignature() {
        for e in HelpCatalog.entries where e.key != "collection" && e.key != "record" {
            XCTAssertNotNil(HelpCatalog.signatures[e.key], e.key)
        }
        XCTAssertEqual(Set(HelpCatalog.signatures.keys).subtracting(HelpCatalog.entries.map(\.key)), [])
    }
}
