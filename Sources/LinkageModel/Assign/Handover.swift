import GRDB

/// 接替: a cadre who cannot serve (transfer, illness, retirement) hands every link to a successor,
/// who takes them within the quota (Quota) like any new link; the leaver may be marked departed
/// on the way, and the history of each household and village keeps who held it, from when to
/// when, and why it changed.
extension Linking {
    /// What a handover did.
    public struct HandedOver: Sendable {
        public let moved: Int
        public let successor: Int64
        /// Quotas exceeded with `allowOverQuota`.
        public let warnings: [String]
    }

    /// Ends every active link of `cadre` on `date`, recording the successor, and starts the same
    /// links for the successor (one the successor already holds is only ended), in one step.
    ///
    /// - `successor`: nil picks the least-loaded eligible colleague of the same unit (see
    ///   ``defaultSuccessor(_:of:on:moving:)``).
    /// - `leftOn`: marks the leaver departed (`cadre.left_on`) from that day, no earlier than `date`.
    /// - `allowOverQuota`: the successor may go over the quota (a warning each, as for link).
    ///
    /// Refused, with the register unchanged: a successor who may not link, the leaver themselves,
    /// a successor whose own links came to the leaver through a chain of successors (a cycle), and
    /// a successor over the quota unless allowed.
    @discardableResult
    public static func handover(_ db: Database, from cadre: Int64, to successor: Int64?, on date: String, reason: String,
                                leftOn: String? = nil, allowOverQuota: Bool = false) throws -> HandedOver {
        _ = try DateText.check(date, field: "date")
        guard reasons.contains(reason) else {
            throw QueryError("reason must be one of \(reasons.joined(separator: ", ")); got '\(reason)'")
        }
        if let leftOn {
            _ = try DateText.check(leftOn, field: "left_on")
            guard leftOn >= date else {
                throw QueryError("left_on \(leftOn) is before the handover on \(date): the links would be held by a cadre who had left; hand over on \(leftOn), or leave on or after \(date)")
            }
        }
        guard let name = try String.fetchOne(db, sql: "SELECT name FROM cadre WHERE id = ?", arguments: [cadre]) else {
            throw QueryError("there is no cadre with id \(cadre)")
        }
        let active = try Row.fetchAll(db, sql: """
            SELECT l.id, l.village_id, l.household_id, h.kind AS household_kind, v.kind AS village_kind
            FROM link AS l LEFT JOIN household AS h ON h.id = l.household_id LEFT JOIN village AS v ON v.id = l.village_id
            WHERE l.cadre_id = ? AND l.start_date <= ? AND l.end_date IS NULL ORDER BY l.id
            """, arguments: [cadre, date])
        guard !active.isEmpty else {
            throw QueryError("\(name) (cadre \(cadre)) holds no active links on \(date); nothing to hand over")
        }
        var moving = [0, 0, 0, 0]
        for row in active {
            let category: Quota.Category
            switch (row["household_kind"] as String?, row["village_kind"] as String?) {
            case ("rural", _): category = .ruralHouseholds
            case ("urban", _): category = .urbanHouseholds
            case (_, "community"): category = .communities
            default: category = .villages
            }
            moving[category.rawValue] += 1
        }
        let chain = try handedTo(db, cadre)
        let to: Int64
        if let successor {
            guard successor != cadre else { throw QueryError("a cadre cannot hand over to themselves; name another cadre as successor") }
            try checkMayLink(db, cadre: successor, on: date)
            if chain[successor] != nil {
                throw QueryError("\(try describePath(db, from: successor, to: cadre, via: chain)); handing \(name)'s links to cadre \(successor) would make a cycle of successors (接替). Name another successor")
            }
            to = successor
        } else {
            guard let found = try defaultSuccessor(db, of: cadre, on: date, moving: moving, excluding: Set(chain.keys)) else {
                let unit = try String.fetchOne(db, sql: "SELECT u.name || ' (unit ' || u.id || ')' FROM unit AS u JOIN cadre AS c ON c.unit_id = u.id WHERE c.id = ?", arguments: [cadre]) ?? "the unit"
                throw QueryError("no eligible colleague of \(name) in \(unit) can take over on \(date); name a successor: cadre:handover(cadres:get(ID), { … })")
            }
            to = found
        }
        return try Atomic.run(db, "linkage_handover") {
            var taking: [NewLink] = []
            for row in active {
                try end(db, link: row["id"], on: date, reason: reason, successor: to)
                let target: Target = (row["household_id"] as Int64?).map { .household($0) } ?? .village(row["village_id"])
                let (column, targetID) = columns(target)
                // The successor may already hold the same target; the handover then only ends the old link.
                let held = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM link WHERE cadre_id = ? AND \(column) = ? AND end_date IS NULL)",
                                             arguments: [to, targetID]) ?? false
                if !held { taking.append(NewLink(.cadre(to), target, note: "接替 \(name)")) }
            }
            let made: Made
            do {
                made = try link(db, taking, since: date, allowOverQuota: allowOverQuota, numbered: false)
            } catch let e as QueryError {
                let chosen = successor == nil ? ", the least-loaded eligible colleague in the same unit," : ""
                throw QueryError("\(name) (cadre \(cadre)) cannot hand \(active.count) link\(active.count == 1 ? "" : "s") to cadre \(to)\(chosen) on \(date): \(e.message)", kind: e.kind)
            }
            if let leftOn {
                try db.execute(sql: "UPDATE cadre SET left_on = ? WHERE id = ?", arguments: [leftOn, cadre])
            }
            return HandedOver(moved: active.count, successor: to, warnings: made.warnings)
        }
    }

    /// The successor a handover picks when none is named: an eligible colleague of the same unit
    /// (not in `excluding`), preferring one whose spare quota takes every moving link
    /// (`moving`, by Quota.Category), then the least loaded (fewest links held on the day), then
    /// the lowest id, so the same register always gives the same successor.
    public static func defaultSuccessor(_ db: Database, of cadre: Int64, on date: String, moving: [Int],
                                        excluding: Set<Int64> = []) throws -> Int64? {
        let fits = Quota.Category.allCases.map { "\(Quota.spare("load", $0)) >= \(moving[$0.rawValue])" }.joined(separator: " AND ")
        let rows = try Row.fetchAll(db, sql: """
            SELECT load.id FROM (\(Quota.cadreLoad(on: "?1", cadres: "SELECT id FROM cadre WHERE unit_id = (SELECT unit_id FROM cadre WHERE id = ?2) AND id <> ?2"))) AS load
            ORDER BY (\(fits)) DESC, load.hv + load.hr + load.hc + load.hu, load.id
            """, arguments: [date, cadre])
        return rows.map { $0["id"] as Int64 }.first { !excluding.contains($0) }
    }

    /// Every cadre whose links came to `cadre`, directly or through a chain of successors, with
    /// the cadre each handed to on the way (`successor_cadre_id` of their ended links).
    static func handedTo(_ db: Database, _ cadre: Int64) throws -> [Int64: Int64] {
        let rows = try Row.fetchAll(db, sql: """
            WITH RECURSIVE came(id, via) AS (
                SELECT ?1, NULL
                UNION
                SELECT l.cadre_id, l.successor_cadre_id FROM link AS l JOIN came ON l.successor_cadre_id = came.id
                WHERE l.cadre_id IS NOT NULL)
            SELECT id, via FROM came WHERE via IS NOT NULL
            """, arguments: [cadre])
        var via: [Int64: Int64] = [:]
        for row in rows where via[row["id"]] == nil { via[row["id"]] = row["via"] }
        via[cadre] = nil
        return via
    }

    /// "王芳 (cadre 2) handed links to 张伟 (cadre 3), who handed them to 李明 (cadre 1)", following
    /// `chain` (``handedTo(_:_:)`` of `end`) from `start`.
    private static func describePath(_ db: Database, from start: Int64, to end: Int64, via chain: [Int64: Int64]) throws -> String {
        var ids = [start]
        var seen: Set<Int64> = [start]
        while let next = chain[ids.last!], seen.insert(next).inserted { ids.append(next) }
        if ids.last != end { ids.append(end) }
        let names = try ids.map { "\(try String.fetchOne(db, sql: "SELECT name FROM cadre WHERE id = ?", arguments: [$0]) ?? "?") (cadre \($0))" }
        return "\(names[0]) handed links to " + names.dropFirst().joined(separator: ", who handed them to ")
    }

    /// Who held a household or a village, from when to when, and why it changed: every link to
    /// it, ended or not, in the order they began.
    public static func history(of target: Target) -> BoundSQL {
        let (column, id) = columns(target)
        return BoundSQL(text: """
            SELECT l.id AS link, CASE WHEN l.cadre_id IS NOT NULL THEN 'cadre' ELSE 'unit' END AS linker_table,
                   coalesce(l.cadre_id, l.unit_id) AS linker_id, coalesce(c.name, u.name) AS linker,
                   (SELECT name FROM unit WHERE id = c.unit_id) AS unit,
                   l.start_date AS "from", l.end_date AS "to", l.end_reason AS reason,
                   s.name AS successor, l.successor_cadre_id AS successor_id, l.note
            FROM link AS l LEFT JOIN cadre AS c ON c.id = l.cadre_id LEFT JOIN unit AS u ON u.id = l.unit_id
            LEFT JOIN cadre AS s ON s.id = l.successor_cadre_id
            WHERE l.\(column) = ? ORDER BY l.start_date, l.id
            """, arguments: [.integer(id)])
    }
}
