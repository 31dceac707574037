import LinkageModel

/// Who links what (联村联户): units and leaders link villages and communities, cadres link
/// households within their quotas — township cadres in their own township first, a unit's cadres
/// in the villages their unit links — and some cadres leave during the year and hand their
/// households to a successor (接替), which keeps the history.
extension SampleCounty {
    struct Link {
        var unit = -1
        var cadre = -1
        var village = -1
        var household = -1
        var start = 0
        var end = -1
        var reason: String?
        var successor = -1
        var note: String?
    }

    // MARK: - Villages and communities

    func linkVillages() {
        for v in villages.indices { villages[v].toLink = linked == .full || rng.chance(0.7) }
        var queues: [[Int]] = [villages.indices.filter { villages[$0].toLink && !villages[$0].community },
                               villages.indices.filter { villages[$0].toLink && villages[$0].community }]
        let pools = queues
        rng.shuffle(&queues[0])
        rng.shuffle(&queues[1])
        var next = [0, 0]
        var taken = Set<Int>() // linker key * 2^24 + village, for one open link per linker and village

        func choose(community: Bool, area: Int, linker: Int) -> Int? {
            let kind = community ? 1 : 0
            if area >= 0 {
                let here = areas[area].villages.filter { villages[$0].toLink && villages[$0].community == community && !taken.contains(linker << 24 | $0) }
                if let v = here.first(where: { villages[$0].covered == 0 }) { return v }
                if !here.isEmpty { return here[rng.below(here.count)] }
            }
            while next[kind] < queues[kind].count {
                let v = queues[kind][next[kind]]
                next[kind] += 1
                if villages[v].covered == 0 && !taken.contains(linker << 24 | v) { return v }
            }
            guard !pools[kind].isEmpty else { return nil }
            for _ in 0..<8 {
                let v = pools[kind][rng.below(pools[kind].count)]
                if !taken.contains(linker << 24 | v) { return v }
            }
            return nil
        }
        func link(unit: Int = -1, cadre: Int = -1, village v: Int) {
            taken.insert((unit >= 0 ? unit << 1 : cadre << 1 | 1) << 24 | v)
            villages[v].covered += 1
            links.append(Link(unit: unit, cadre: cadre, village: v, start: rng.int(SampleDates.day(2, 1)...SampleDates.day(3, 15))))
        }

        // Leaders and the principals of townships and subdistricts, by their quotas.
        let order: [SampleRole] = [.townshipPrincipal, .subdistrictPrincipal, .principalLeader, .deputyHeadSubdistricts, .otherLeader]
        for role in order {
            for c in cadres.indices where cadres[c].role == role {
                let key = c << 1 | 1
                for _ in 0..<cadres[c].free.villages {
                    guard let v = choose(community: false, area: role == .townshipPrincipal ? cadres[c].area : -1, linker: key) else { break }
                    link(cadre: c, village: v)
                    cadres[c].free.villages -= 1
                }
                for _ in 0..<cadres[c].free.communities {
                    guard let v = choose(community: true, area: role == .subdistrictPrincipal ? cadres[c].area : -1, linker: key) else { break }
                    link(cadre: c, village: v)
                    cadres[c].free.communities -= 1
                }
            }
        }
        // Units with a fixed number (departments, mass organisations, enterprises: one poor village each).
        for u in units.indices {
            guard let n = units[u].villageQuota, n > 0 else { continue }
            for _ in 0..<n {
                guard let v = choose(community: false, area: -1, linker: u << 1) ?? choose(community: true, area: -1, linker: u << 1) else { break }
                link(unit: u, village: v)
            }
        }
        // Units with no fixed number (armed forces, garrison, stationed units, volunteers) take
        // whatever is still uncovered, then at least one each.
        let free = units.indices.filter { units[$0].villageQuota == 0 }
        guard !free.isEmpty else { return }
        var k = rng.below(free.count)
        for v in villages.indices where villages[v].toLink && villages[v].covered == 0 {
            link(unit: free[k % free.count], village: v)
            k += 1
        }
        var linkedUnits = Set(links.map(\.unit))
        for u in free where !linkedUnits.contains(u) {
            if units[u].kind == "volunteer" && !rng.chance(0.6) { continue }
            let community = rng.chance(0.2)
            guard let v = choose(community: community, area: -1, linker: u << 1) ?? choose(community: !community, area: -1, linker: u << 1) else { continue }
            link(unit: u, village: v)
            linkedUnits.insert(u)
        }
    }

    // MARK: - Households

    func linkHouseholds() {
        for h in households.indices { households[h].toLink = linked == .full || rng.chance(0.7) }

        /// Links the unlinked households of `candidates`, in order, to `linkers` in turn, each
        /// taking as many as its free quota allows (so a cadre's households are neighbours).
        func assign(_ candidates: [Int], to linkers: [Int], urban: Bool) {
            var c = 0
            for h in candidates where households[h].toLink && households[h].cadre < 0 && households[h].urban == urban {
                while c < linkers.count && (urban ? cadres[linkers[c]].free.urban : cadres[linkers[c]].free.rural) <= 0 { c += 1 }
                guard c < linkers.count else { return }
                let cadre = linkers[c]
                if urban { cadres[cadre].free.urban -= 1 } else { cadres[cadre].free.rural -= 1 }
                households[h].cadre = cadre
                links.append(Link(cadre: cadre, household: h, start: rng.int(SampleDates.day(2, 10)...SampleDates.day(4, 10))))
            }
        }
        func householdsOf(area a: Int) -> [Int] { areas[a].villages.flatMap { Array(villages[$0].households) } }
        func shuffled(_ list: [Int]) -> [Int] { var l = list; rng.shuffle(&l); return l }

        // Township and subdistrict cadres in their own township or subdistrict.
        for u in units.indices where units[u].kind == "township" || units[u].kind == "subdistrict" {
            let urban = units[u].kind == "subdistrict"
            assign(householdsOf(area: units[u].area), to: shuffled(Array(units[u].cadres).filter { cadres[$0].role != nil }), urban: urban)
        }
        // A unit's cadres, and a leader, in the villages and communities they link.
        let villageLinks = links.indices.filter { links[$0].village >= 0 }
        for l in villageLinks {
            let link = links[l]
            let v = link.village
            let linkers = link.unit >= 0 ? shuffled(Array(units[link.unit].cadres).filter { cadres[$0].role != nil }) : [link.cadre]
            assign(Array(villages[v].households), to: linkers, urban: villages[v].community)
        }
        // Everyone else, anywhere in the county.
        let serving = shuffled(cadres.indices.filter { cadres[$0].role != nil })
        assign(Array(households.indices), to: serving, urban: false)
        assign(Array(households.indices), to: serving, urban: true)
    }

    // MARK: - Handovers

    /// Some cadres leave during the year (transfer, illness, retirement); each of their households
    /// goes to a colleague with room in the quota — of the same unit if possible — from that day.
    func handOver() {
        var householdLinks = [[Int]](repeating: [], count: cadres.count)
        for l in links.indices where links[l].household >= 0 { householdLinks[links[l].cadre].append(l) }
        let leaving: Set<SampleRole> = [.townshipOther, .subdistrictOther, .departmentOther, .departmentPrincipal]
        var succeeded = [Bool](repeating: false, count: cadres.count) // took over from someone: stays all year
        for c in cadres.indices {
            guard let role = cadres[c].role, leaving.contains(role), !householdLinks[c].isEmpty, !succeeded[c],
                  rng.chance(0.022) else { continue }
            // Find every successor first: a cadre leaves only if all of its households are taken over.
            var free = [SampleQuota]()
            var successors: [Int] = []
            func hasRoom(_ s: Int, urban: Bool) -> Bool {
                s != c && cadres[s].role != nil && cadres[s].leftOn < 0
                    && (urban ? cadres[s].free.urban : cadres[s].free.rural) > 0
            }
            for l in householdLinks[c] {
                let urban = households[links[l].household].urban
                let colleagues = units[cadres[c].unit].cadres
                var found: Int?
                let offset = rng.below(colleagues.count)
                for k in 0..<colleagues.count where hasRoom(colleagues.lowerBound + (offset + k) % colleagues.count, urban: urban) {
                    found = colleagues.lowerBound + (offset + k) % colleagues.count
                    break
                }
                if found == nil {
                    let start = rng.below(cadres.count)
                    for k in 0..<cadres.count where hasRoom((start + k) % cadres.count, urban: urban) {
                        found = (start + k) % cadres.count
                        break
                    }
                }
                guard let s = found else { break }
                free.append(cadres[s].free)
                successors.append(s)
                if urban { cadres[s].free.urban -= 1 } else { cadres[s].free.rural -= 1 }
            }
            if successors.count < householdLinks[c].count {
                // Give the room back; this cadre stays.
                for (k, s) in successors.enumerated().reversed() { cadres[s].free = free[k] }
                continue
            }
            let latestStart = householdLinks[c].map { links[$0].start }.max()!
            let day = min(SampleDates.day(12, 20), max(latestStart + 30, rng.int(SampleDates.day(4, 1)...SampleDates.day(11, 30))))
            let reason = cadres[c].person.bornYear <= 1953 ? "退休" : (rng.chance(0.7) ? "调离" : "疾病")
            cadres[c].leftOn = day
            cadres[c].leftReason = reason
            for (k, l) in householdLinks[c].enumerated() {
                links[l].end = day
                links[l].reason = reason
                links[l].successor = successors[k]
                links.append(Link(cadre: successors[k], household: links[l].household, start: day,
                                  note: "接替\(cadres[c].person.name)（\(reason)）"))
                households[links[l].household].cadre = successors[k]
                succeeded[successors[k]] = true
            }
        }
    }

    func writeLinks() throws {
        let s = w.link
        // Village links first, then household links in household order, then the handovers' new links.
        let firstHandover = links.firstIndex { $0.note != nil } ?? links.count
        var order = Array(links.indices.prefix(firstHandover))
        order.sort { a, b in
            let la = links[a], lb = links[b]
            if (la.village >= 0) != (lb.village >= 0) { return la.village >= 0 }
            return la.village >= 0 ? a < b : (la.household, a) < (lb.household, b)
        }
        order.append(contentsOf: links.indices.dropFirst(firstHandover))
        var ids = [Int](repeating: 0, count: links.count)
        let first = w.reserve(.link, links.count)
        for (k, l) in order.enumerated() { ids[l] = first + k }
        for l in order {
            let link = links[l]
            s.int(ids[l]); s.int(link.unit >= 0 ? units[link.unit].id : nil); s.int(link.cadre >= 0 ? cadres[link.cadre].id : nil)
            s.int(link.village >= 0 ? villages[link.village].id : nil); s.int(link.household >= 0 ? households[link.household].id : nil)
            s.text(SampleDates.text(link.start)); s.text(link.end >= 0 ? SampleDates.text(link.end) : nil); s.text(link.reason)
            s.int(link.successor >= 0 ? cadres[link.successor].id : nil); s.text(link.note)
            try s.insert()
        }
        links = order.map { links[$0] }
    }
}
