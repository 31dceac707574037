import GRDB

/// 一次确定联系对象: a proposal of new links that covers every uncovered poor village, community
/// and household (全面覆盖, DomainFilter's definitions) with eligible units and cadres that have
/// spare quota (Quota), and then fills the quotas left with second links, up to
/// household_cadres_max, so the register meets its rules. Nothing is written: a script prints,
/// filters and edits the proposal, and `Linking.link` makes the links with the same checks as
/// any other link.
///
/// The strategy, per kind of target (poor villages, communities, rural households, urban
/// households), with the rules in force on `asOf`:
/// 1. Homes. A linker prefers targets in its home area: its unit's township or subdistrict. A
///    unit without one (a district department) is placed where it is most needed: in the area
///    of a village it links if that area is short of linkers, else in the area with the largest
///    shortfall (uncovered targets less the places of the linkers already there), units in id
///    order, so placing is deterministic and spreads the load.
/// 2. Cover. Each uncovered target, area by area, goes to the least-loaded linker (fewest links of
///    the kind, then lowest id) of its area with spare quota; what an area cannot cover goes to
///    the linkers of its county (the first six digits of the division code), then anywhere.
///    Villages and communities no quota holder can take go to units with no fixed number
///    (unit_quota_rule 0: armed forces, garrison, stationed units), least loaded first.
/// 3. Fill (`fill`). Every linker with places left takes targets of its home area, then county,
///    then anywhere, with the fewest linkers first, never one it links already and never past
///    household_cadres_max.
/// What stays uncovered or unfilled is reported with the reason. Same register, same proposal.
public enum Assignment {
    public enum Scope: String, Sendable, CaseIterable { case households, villages, all }

    public struct Options: Sendable {
        public var asOf: String
        public var scope: Scope
        /// Only these targets or linkers (ids); nil: all of them.
        public var households: Set<Int64>?
        public var villages: Set<Int64>?
        public var cadres: Set<Int64>?
        public var units: Set<Int64>?
        /// Fill the quotas left after covering with further links (second cadres of households).
        public var fill: Bool
        /// Let units with no fixed number cover the villages and communities quota holders cannot.
        public var openUnits: Bool

        public init(asOf: String, scope: Scope = .all, households: Set<Int64>? = nil, villages: Set<Int64>? = nil,
                    cadres: Set<Int64>? = nil, units: Set<Int64>? = nil, fill: Bool = true, openUnits: Bool = true) {
            self.asOf = asOf
            self.scope = scope
            self.households = households
            self.villages = villages
            self.cadres = cadres
            self.units = units
            self.fill = fill
            self.openUnits = openUnits
        }
    }

    /// One proposed link.
    public struct Proposed: Sendable, Equatable {
        public let linker: Linking.Linker
        public let target: Linking.Target
        /// "poor village", "community", "rural household" or "urban household".
        public let kind: String
        /// Index into ``Proposal/areaNames``: the target's township or subdistrict.
        public let area: Int32
        /// Index into ``Proposal/reasons``: why this linker, in words ("same township, least
        /// loaded (1 of 2)"). Reasons repeat, so each text is made and kept once.
        public let reason: Int32
    }

    /// Targets left without a linker, or quota places left empty, and why.
    public struct Shortfall: Sendable, Equatable {
        public let what: String
        public let count: Int
        public let reason: String
    }

    public struct Proposal: Sendable {
        public var links: [Proposed]
        public var areaNames: [String]
        public var reasons: [String]
        /// Targets that stay uncovered, per kind.
        public var uncovered: [Shortfall]
        /// Quota places no target could take, per kind.
        public var unfilled: [Shortfall]
    }

    public static func propose(_ db: Database, _ options: Options) throws -> Proposal {
        _ = try DateText.check(options.asOf, field: "as_of")
        try RuleBook.requireRules(db, try RuleBook.kind("quota"), on: options.asOf)
        let run = try AssignmentRun(db, options)
        let kinds: [AssignmentRun.Kind]
        switch options.scope {
        case .villages: kinds = [.villages, .communities]
        case .households: kinds = [.rural, .urban]
        case .all: kinds = [.villages, .communities, .rural, .urban]
        }
        for kind in kinds { try run.assign(kind) }
        return Proposal(links: run.proposed, areaNames: run.areas.map(\.name), reasons: run.reasons, uncovered: run.uncovered, unfilled: run.unfilled)
    }
}

/// One computation of a proposal: the register's places, targets and linkers in arrays indexed
/// densely (no dictionary is iterated, so the order, and the proposal, never depends on hashing).
final class AssignmentRun {
    enum Kind: Int {
        case villages, communities, rural, urban

        var words: String { ["poor villages", "communities", "rural households", "urban households"][rawValue] }
        var word: String { ["poor village", "community", "rural household", "urban household"][rawValue] }
        var category: Quota.Category {
            [Quota.Category.villages, .communities, .ruralHouseholds, .urbanHouseholds][rawValue]
        }
        var areaKind: String { self == .villages || self == .rural ? "township" : "subdistrict" }
        var isHousehold: Bool { self == .rural || self == .urban }
    }

    struct Area {
        let id: Int64
        let name: String
        let kind: String
        let county: Int
    }

    struct Target {
        let id: Int64
        let area: Int
        let kind: Kind
        var count: Int
        var covered: Bool
        /// May take another linker in the fill (a household that has met the target may not).
        let fillable: Bool
    }

    /// A linker in one kind: a cadre's places of that kind, or a unit's poor villages.
    struct Slot {
        let linker: Linking.Linker
        /// Who is placed together: a unit's cadres share a home for households.
        let group: Int64
        var held: Int
        /// nil: a unit with no fixed number.
        let quota: Int?
        var spare: Int
        let unitArea: Int
        var home = -1
        var how = How.none

        var key: Int64 {
            if case .unit(let id) = linker { return id << 1 }
            if case .cadre(let id) = linker { return id << 1 | 1 }
            return 0
        }
    }

    enum How { case none, own, linked, spread }

    let db: Database
    let options: Assignment.Options
    let day: String
    var areas: [Area] = []
    var areaIndex: [Int64: Int] = [:]
    var counties = 0
    var proposed: [Assignment.Proposed] = []
    var uncovered: [Assignment.Shortfall] = []
    var unfilled: [Assignment.Shortfall] = []
    let householdMax: Int
    /// Open links (linker key, target id), households and villages apart: never proposed again.
    var householdPairs = Set<Pair>()
    var villagePairs = Set<Pair>()
    /// Cadres' loads, read once: id → (unit, held, quota) by Quota.Category.
    var cadreRows: [(id: Int64, unit: Int64, held: [Int], quota: [Int])] = []
    var units: [(id: Int64, kind: String, area: Int, rule: Int64?, quota: Int?, held: Int)] = []
    var unitIndex: [Int64: Int] = [:]
    /// The area of the first village and the first community each unit links (existing or proposed).
    var unitVillageArea: [Int64: Int] = [:]
    var unitCommunityArea: [Int64: Int] = [:]

    struct Pair: Hashable {
        let linker: Int64
        let target: Int64
    }

    init(_ db: Database, _ options: Assignment.Options) throws {
        self.db = db
        self.options = options
        day = options.asOf
        householdMax = Int(try RuleBook.setting(db, "household_cadres_max", on: day) ?? 2)
        var countyOf: [String: Int] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, code, name, kind FROM area ORDER BY id") {
            let code: String = row["code"]
            let county = countyOf[String(code.prefix(6))] ?? countyOf.count
            countyOf[String(code.prefix(6))] = county
            areaIndex[row["id"]] = areas.count
            areas.append(Area(id: row["id"], name: row["name"], kind: row["kind"], county: county))
        }
        counties = countyOf.count
        let cursor = try Row.fetchCursor(db, sql: """
            SELECT coalesce(cadre_id * 2 + 1, unit_id * 2), household_id, village_id FROM link
            WHERE end_date IS NULL
            """)
        while let row = try cursor.next() {
            let linker: Int64 = row[0]
            if let h: Int64 = row[1] { householdPairs.insert(Pair(linker: linker, target: h)) }
            if let v: Int64 = row[2] { villagePairs.insert(Pair(linker: linker, target: v)) }
        }
        let load = try Row.fetchCursor(db, sql: "SELECT * FROM (\(Quota.cadreLoad(on: "?1"))) AS load WHERE load.rule IS NOT NULL ORDER BY load.id",
                                       arguments: [day])
        while let row = try load.next() {
            let id: Int64 = row["id"]
            if let only = options.cadres, !only.contains(id) { continue }
            cadreRows.append((id, row["unit_id"], Quota.Category.allCases.map { row["h" + $0.letter] },
                              Quota.Category.allCases.map { row["q" + $0.letter] }))
        }
        for row in try Row.fetchAll(db, sql: "SELECT * FROM (\(Quota.unitLoad(on: "?1"))) AS ul ORDER BY ul.id", arguments: [day]) {
            let id: Int64 = row["id"]
            unitIndex[id] = units.count
            let quota: Int? = row["quota"]
            units.append((id, row["kind"], (row["area_id"] as Int64?).flatMap { areaIndex[$0] } ?? -1, row["rule"], quota, row["held"]))
        }
        for row in try Row.fetchAll(db, sql: """
            SELECT l.unit_id, v.area_id, v.kind FROM link AS l JOIN village AS v ON v.id = l.village_id
            WHERE l.unit_id IS NOT NULL AND \(DomainFilter.activeLink("l", on: "?1")) ORDER BY l.unit_id, v.id
            """, arguments: [day]) {
            noteUnitLinks(row["unit_id"], area: areaIndex[row["area_id"]] ?? -1, community: (row["kind"] as String) == "community")
        }
    }

    private func noteUnitLinks(_ unit: Int64, area: Int, community: Bool) {
        if community { if unitCommunityArea[unit] == nil { unitCommunityArea[unit] = area } }
        else if unitVillageArea[unit] == nil { unitVillageArea[unit] = area }
    }

    // MARK: targets and linkers of a kind

    func targets(_ kind: Kind) throws -> [Target] {
        var found: [Target] = []
        let d = DomainFilter.self
        if kind.isHousehold {
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT h.id, v.area_id, NOT \(d.householdCovered("h", on: "?1")), \(d.householdTargetMet("h", on: "?1")),
                       (SELECT count(*) FROM link AS l WHERE l.household_id = h.id AND l.cadre_id IS NOT NULL AND \(d.activeLink("l", on: "?1")))
                FROM household AS h JOIN village AS v ON v.id = h.village_id
                WHERE h.kind = ?2 ORDER BY h.id
                """, arguments: [day, kind == .rural ? "rural" : "urban"])
            while let row = try cursor.next() {
                let id: Int64 = row[0]
                if let only = options.households, !only.contains(id) { continue }
                found.append(Target(id: id, area: areaIndex[row[1]] ?? -1, kind: kind, count: row[4],
                                    covered: !(row[2] as Bool), fillable: !(row[3] as Bool)))
            }
        } else {
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT v.id, v.area_id, NOT \(d.villageCovered("v", on: "?1")),
                       (SELECT count(*) FROM link AS l WHERE l.village_id = v.id AND \(d.activeLink("l", on: "?1")))
                FROM village AS v
                WHERE v.kind = ?2 AND (v.kind = 'community' OR v.poor = 1) ORDER BY v.id
                """, arguments: [day, kind == .villages ? "village" : "community"])
            while let row = try cursor.next() {
                let id: Int64 = row[0]
                if let only = options.villages, !only.contains(id) { continue }
                found.append(Target(id: id, area: areaIndex[row[1]] ?? -1, kind: kind, count: row[3], covered: !(row[2] as Bool), fillable: true))
            }
        }
        return found
    }

    func slots(_ kind: Kind) -> [Slot] {
        var found: [Slot] = []
        let c = kind.category.rawValue
        for row in cadreRows where row.quota[c] > row.held[c] {
            let unitArea = unitIndex[row.unit].map { units[$0].area } ?? -1
            found.append(Slot(linker: .cadre(row.id), group: kind.isHousehold ? row.unit << 1 : row.id << 1 | 1,
                              held: row.held[c], quota: row.quota[c], spare: row.quota[c] - row.held[c], unitArea: unitArea))
        }
        guard kind == .villages else { return found }
        for u in units where options.units?.contains(u.id) ?? true {
            guard let quota = u.quota, quota > 0, quota > u.held else { continue }
            found.append(Slot(linker: .unit(u.id), group: u.id << 1, held: u.held, quota: quota, spare: quota - u.held, unitArea: u.area))
        }
        return found
    }

    /// Units with no fixed number (their kind's rule in force says 0), least loaded first.
    func openSlots() -> [Slot] {
        guard options.openUnits else { return [] }
        return units.filter { $0.rule != nil && $0.quota == 0 && (options.units?.contains($0.id) ?? true) }.map {
            Slot(linker: .unit($0.id), group: $0.id << 1, held: heldVillages[$0.id] ?? $0.held, quota: nil, spare: Int.max, unitArea: $0.area)
        }
    }

    /// Villages and communities each unit links, existing and proposed, for least-loaded open units.
    var heldVillages: [Int64: Int] = [:]

    // MARK: the strategy

    func assign(_ kind: Kind) throws {
        var targets = try targets(kind)
        var slots = slots(kind)
        place(&slots, kind: kind, targets: targets)
        cover(&targets, &slots, kind: kind)
        if !kind.isHousehold {
            var open = openSlots()
            coverOpen(&targets, &open, kind: kind)
        }
        if options.fill { fill(&targets, &slots, kind: kind) }
        report(targets, slots, kind: kind)
    }

    /// Homes: the unit's own area, or a placing (see ``Assignment``).
    private func place(_ slots: inout [Slot], kind: Kind, targets: [Target]) {
        var shortfall = [Int](repeating: 0, count: areas.count)
        for t in targets where !t.covered && t.area >= 0 { shortfall[t.area] += 1 }
        var homeless: [Int] = []
        for i in slots.indices {
            let a = slots[i].unitArea
            if a >= 0, areas[a].kind == kind.areaKind {
                slots[i].home = a
                slots[i].how = .own
                shortfall[a] -= slots[i].spare
            } else {
                homeless.append(i)
            }
        }
        let candidates = areas.indices.filter { areas[$0].kind == kind.areaKind }
        guard !candidates.isEmpty else { return }
        // Groups in order of their key: a unit's cadres (households) or each linker (villages).
        homeless.sort { (slots[$0].group, slots[$0].key) < (slots[$1].group, slots[$1].key) }
        var start = 0
        while start < homeless.count {
            var end = start
            while end < homeless.count, slots[homeless[end]].group == slots[homeless[start]].group { end += 1 }
            let members = homeless[start..<end]
            let capacity = members.reduce(0) { $0 + slots[$1].spare }
            var home = -1, how = How.spread
            if case .unit(let unit)? = unitOf(slots[homeless[start]]),
               let linked = kind == .rural ? unitVillageArea[unit] : (kind == .urban ? unitCommunityArea[unit] : nil),
               linked >= 0, shortfall[linked] > 0 {
                home = linked
                how = .linked
            }
            if home < 0 { home = candidates.max { (shortfall[$0], -$0) < (shortfall[$1], -$1) }! }
            shortfall[home] -= capacity
            for i in members {
                slots[i].home = home
                slots[i].how = how
            }
            start = end
        }
    }

    /// The unit whose cadres a household slot stands for.
    private func unitOf(_ slot: Slot) -> Linking.Linker? {
        guard slot.group & 1 == 0 else { return nil }
        return .unit(slot.group >> 1)
    }

    private func cover(_ targets: inout [Target], _ slots: inout [Slot], kind: Kind) {
        var byArea = [[Int]](repeating: [], count: areas.count)
        var nowhere: [Int] = []
        for i in targets.indices where !targets[i].covered {
            if targets[i].area >= 0 { byArea[targets[i].area].append(i) } else { nowhere.append(i) }
        }
        var local = [Heap](repeating: Heap(), count: areas.count)
        for (i, s) in slots.enumerated() where s.home >= 0 { local[s.home].push(load(s), i) }
        var left: [Int] = []
        for a in areas.indices where !byArea[a].isEmpty {
            for t in byArea[a] {
                if let s = take(&local[a], &slots) {
                    propose(&targets[t], &slots[s], kind: kind, level: 0)
                } else {
                    left.append(t)
                }
            }
        }
        guard !(left.isEmpty && nowhere.isEmpty) else { return }
        // What an area could not cover: its county's linkers, then anyone's.
        var county = [Heap](repeating: Heap(), count: counties)
        for (i, s) in slots.enumerated() where s.spare > 0 && s.home >= 0 { county[areas[s.home].county].push(load(s), i) }
        var rest = nowhere
        for t in left {
            if let s = take(&county[areas[targets[t].area].county], &slots) {
                propose(&targets[t], &slots[s], kind: kind, level: 1)
            } else {
                rest.append(t)
            }
        }
        guard !rest.isEmpty else { return }
        var anywhere = Heap()
        for (i, s) in slots.enumerated() where s.spare > 0 { anywhere.push(load(s), i) }
        for t in rest {
            guard let s = take(&anywhere, &slots) else { break }
            propose(&targets[t], &slots[s], kind: kind, level: 2)
        }
    }

    private func coverOpen(_ targets: inout [Target], _ open: inout [Slot], kind: Kind) {
        var heap = Heap()
        for (i, s) in open.enumerated() { heap.push(load(s), i) }
        for t in targets.indices where !targets[t].covered {
            guard let s = take(&heap, &open) else { return }
            propose(&targets[t], &open[s], kind: kind, level: 3)
        }
    }

    /// The least-loaded slot of a heap with places left (the slot goes back in with its new load).
    private func take(_ heap: inout Heap, _ slots: inout [Slot]) -> Int? {
        while let (key, i) = heap.pop() {
            guard slots[i].spare > 0, key == load(slots[i]) else { continue }
            if slots[i].spare > 1 { heap.push(load(slots[i], plus: 1), i) }
            return i
        }
        return nil
    }

    /// Fewest links of the kind first, then the lowest id (a unit before a cadre of the same id).
    private func load(_ s: Slot, plus: Int = 0) -> Int64 { Int64(s.held + plus) << 42 | s.key }

    private func fill(_ targets: inout [Target], _ slots: inout [Slot], kind: Kind) {
        let most = kind.isHousehold ? householdMax : Int.max
        var local = [Heap](repeating: Heap(), count: areas.count)
        for (i, t) in targets.enumerated() where t.fillable && t.area >= 0 && t.count < most { local[t.area].push(Int64(t.count) << 42 | t.id, i) }
        var county: [Heap]?
        var anywhere: Heap?
        let order = slots.indices.filter { slots[$0].spare > 0 }.sorted { (slots[$0].home, slots[$0].key) < (slots[$1].home, slots[$1].key) }
        for s in order {
            while slots[s].spare > 0 {
                var picked: (Int, Int)?
                if slots[s].home >= 0 { picked = pick(&local[slots[s].home], targets, slots[s], most: most).map { ($0, 0) } }
                if picked == nil, slots[s].home >= 0 {
                    if county == nil {
                        county = [Heap](repeating: Heap(), count: counties)
                        for (i, t) in targets.enumerated() where t.fillable && t.area >= 0 && t.count < most {
                            county![areas[t.area].county].push(Int64(t.count) << 42 | t.id, i)
                        }
                    }
                    picked = pick(&county![areas[slots[s].home].county], targets, slots[s], most: most).map { ($0, 1) }
                }
                if picked == nil {
                    if anywhere == nil {
                        anywhere = Heap()
                        for (i, t) in targets.enumerated() where t.fillable && t.count < most { anywhere!.push(Int64(t.count) << 42 | t.id, i) }
                    }
                    picked = pick(&anywhere!, targets, slots[s], most: most).map { ($0, 2) }
                }
                guard let (t, level) = picked else { break }
                propose(&targets[t], &slots[s], kind: kind, level: level, filling: true)
                let key = Int64(targets[t].count) << 42 | targets[t].id
                if targets[t].count < most {
                    if targets[t].area >= 0 { local[targets[t].area].push(key, t) }
                    if targets[t].area >= 0 { county?[areas[targets[t].area].county].push(key, t) }
                    anywhere?.push(key, t)
                }
            }
        }
    }

    /// The target with the fewest linkers in a heap that the slot may take (not linked by it).
    private func pick(_ heap: inout Heap, _ targets: [Target], _ slot: Slot, most: Int) -> Int? {
        var aside: [(Int64, Int)] = []
        defer { for (k, i) in aside { heap.push(k, i) } }
        while let (key, t) = heap.pop() {
            let target = targets[t]
            guard key == Int64(target.count) << 42 | target.id, target.count < most else { continue }
            let pair = Pair(linker: slot.key, target: target.id)
            if (target.kind.isHousehold ? householdPairs : villagePairs).contains(pair) {
                aside.append((key, t))
                continue
            }
            // Taken: it goes back with its new count by the caller.
            return t
        }
        return nil
    }

    private func propose(_ target: inout Target, _ slot: inout Slot, kind: Kind, level: Int, filling: Bool = false) {
        target.count += 1
        target.covered = true
        slot.held += 1
        if slot.quota != nil { slot.spare -= 1 }
        let pair = Pair(linker: slot.key, target: target.id)
        if kind.isHousehold { householdPairs.insert(pair) } else { villagePairs.insert(pair) }
        if case .unit(let u) = slot.linker {
            heldVillages[u] = slot.held
            noteUnitLinks(u, area: target.area, community: kind == .communities)
        }
        proposed.append(Assignment.Proposed(linker: slot.linker, target: kind.isHousehold ? .household(target.id) : .village(target.id),
                                            kind: kind.word, area: Int32(target.area), reason: reason(target, slot, kind: kind, level: level, filling: filling)))
    }

    /// The texts of the reasons, and the index of each by what it says.
    var reasons: [String] = []
    private var reasonIndex: [ReasonKey: Int32] = [:]

    private struct ReasonKey: Hashable {
        let kind: Int, level: Int, how: How, filling: Bool, held: Int, quota: Int?, count: Int, unitKind: String
    }

    private func reason(_ target: Target, _ slot: Slot, kind: Kind, level: Int, filling: Bool) -> Int32 {
        let key = ReasonKey(kind: kind.rawValue, level: level, how: level == 0 ? slot.how : .none, filling: filling, held: slot.held,
                            quota: slot.quota, count: filling ? target.count : 0, unitKind: level == 3 ? unitKind(slot) : "")
        if let i = reasonIndex[key] { return i }
        let i = Int32(reasons.count)
        reasons.append(reasonText(target, slot, kind: kind, level: level, filling: filling))
        reasonIndex[key] = i
        return i
    }

    private func unitKind(_ slot: Slot) -> String {
        if case .unit(let u) = slot.linker, let i = unitIndex[u] { return units[i].kind }
        return "unit"
    }

    private func reasonText(_ target: Target, _ slot: Slot, kind: Kind, level: Int, filling: Bool) -> String {
        let place = kind.areaKind
        let load = slot.quota.map { "(\(slot.held) of \($0))" } ?? "(\(slot.held) linked)"
        if level == 3 {
            let kind = unitKind(slot)
            return "no quota holder left: \(kind.first.map { "aeiou".contains($0) } == true ? "an" : "a") \(kind) unit, no fixed number (unit_quota_rule 0), least loaded \(load)"
        }
        let whereText: String
        switch level {
        case 0:
            switch slot.how {
            case .own: whereText = "same \(place)"
            case .linked: whereText = "the unit links a \(kind == .rural ? "village" : "community") in the \(place)"
            default: whereText = "\(kind.isHousehold ? "unit " : "")placed in the \(place) (spread)"
            }
        case 1: whereText = "same county (no spare quota in the \(place))"
        default: whereText = "another county (none spare in the county)"
        }
        if filling {
            let nth = kind.isHousehold ? "cadre \(target.count) of at most \(householdMax)" : "linker \(target.count)"
            return "fills the quota \(load): \(nth), \(whereText)"
        }
        return "\(whereText), least loaded \(load)"
    }

    /// What stays uncovered and what quota is left, with the reasons.
    private func report(_ targets: [Target], _ slots: [Slot], kind: Kind) {
        let left = targets.filter { !$0.covered }.count
        let who = kind.isHousehold ? "cadre" : "unit or leader"
        let given = (kind.isHousehold ? options.cadres : (options.cadres ?? options.units)) != nil ? "of the given linkers " : ""
        if left > 0 {
            let rule = kind == .villages || kind == .communities ? "quota_rule, unit_quota_rule" : "quota_rule"
            var why = "no eligible \(who) \(given)has spare quota for \(kind.words) in the \(kind.areaKind), the county or anywhere (\(rule) in force on \(day))"
            if !kind.isHousehold {
                why += options.openUnits ? ", and no unit with no fixed number (unit_quota_rule 0) is there to take them" : "; units with no fixed number were left out (open_units = false)"
            }
            uncovered.append(Assignment.Shortfall(what: kind.words, count: left, reason: why))
        }
        guard options.fill else { return }
        let places = slots.reduce(0) { $0 + ($1.quota == nil ? 0 : $1.spare) }
        guard places > 0 else { return }
        let holders = slots.filter { $0.quota != nil && $0.spare > 0 }.count
        let why = kind.isHousehold
            ? "\(holders) linkers have \(places) places left and every \(kind.word) in reach has household_cadres_max (\(householdMax)) cadres, met its target, or is linked by them already"
            : "\(holders) linkers have \(places) places left and link every \(kind == .villages ? "poor village" : "community") in reach already"
        unfilled.append(Assignment.Shortfall(what: "\(kind.words) quota", count: places, reason: why))
    }
}

/// A binary min-heap of (key, index).
struct Heap {
    private var items: [(key: Int64, index: Int)] = []

    var isEmpty: Bool { items.isEmpty }

    mutating func push(_ key: Int64, _ index: Int) {
        items.append((key, index))
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[i].key < items[parent].key else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> (Int64, Int)? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < items.count, items[l].key < items[m].key { m = l }
                if r < items.count, items[r].key < items[m].key { m = r }
                if m == i { break }
                items.swapAt(i, m)
                i = m
            }
        }
        return (top.key, top.index)
    }
}
