import LinkageModel

/// One county of a sample, generated and written on its own: areas, villages and households
/// (here), units and cadres (`SampleCounty+Organisation`), links (`+Links`), and the year's
/// contact, activities, problems, surveys and indicators (`+Activity`).
///
/// Everything about the county is kept in memory until it is written, then dropped: a county is
/// a few thousand cadres and about ten thousand households at any scale.
final class SampleCounty {
    let plan: SampleCountyPlan
    let rules: SampleRules
    let linked: SampleLinkage
    let w: SampleWriter
    var rng: SampleRandom
    /// The plan's minimum activities (SampleCounty+Activity) draw from their own stream, so that
    /// adding them changed nothing else a seed gives.
    var minimums: SampleRandom
    var people: SamplePersonMaker

    struct Area {
        let id: Int
        let code: String
        let name: String
        let township: Bool
        var villages: [Int] = []
        var unit = -1
    }

    struct Village {
        let id: Int
        let area: Int
        let name: String
        let community: Bool
        var households: Range<Int> = 0..<0
        var toLink = false
        var covered = 0
    }

    struct Household {
        let id: Int
        let village: Int
        let urban: Bool
        let members: Int
        /// Poor because of schooling (因学), as main or other cause: the plan's school aid is for it.
        var schooling = false
        var toLink = false
        var cadre = -1
        /// Some link of the household fell short of the contact standards this year.
        var shortOfStandard = false
    }

    var areas: [Area] = []
    var villages: [Village] = []
    var households: [Household] = []
    var units: [Unit] = []
    var cadres: [Cadre] = []
    var links: [Link] = []

    init(plan: SampleCountyPlan, rules: SampleRules, linked: SampleLinkage, writer: SampleWriter, rng: SampleRandom) {
        self.plan = plan
        self.rules = rules
        self.linked = linked
        self.w = writer
        self.rng = rng
        var fork = rng
        self.minimums = SampleRandom(seed: fork.next(), stream: 0x6D696E)
        self.people = SamplePersonMaker(countyCode: plan.code)
    }

    /// Generates and writes the whole county.
    func generate(usedAreaNames: inout Set<String>) throws {
        try makeAreas(usedAreaNames: &usedAreaNames)
        try makeVillages()
        try makeHouseholds()
        try makeUnits()
        makeCadres()
        if linked != .none {
            linkVillages()
            linkHouseholds()
            handOver()
        }
        try writeCadres()
        try writeLinks()
        try writeActivity()
        try writeIndicators()
    }

    // MARK: - Areas and villages

    private func makeAreas(usedAreaNames: inout Set<String>) throws {
        func add(_ suffix: String, _ name: String, township: Bool) throws {
            let area = Area(id: w.reserve(.area), code: plan.code + suffix, name: name, township: township)
            w.area.int(area.id); w.area.text(area.code); w.area.text(area.name); w.area.text(township ? "township" : "subdistrict")
            try w.area.insert()
            areas.append(area)
        }
        if plan.qinzhou {
            for s in SamplePlaces.qinzhouSubdistricts { try add(s.suffix, s.name, township: false) }
            for t in SamplePlaces.qinzhouTowns { try add(t.suffix, t.name, township: true) }
            return
        }
        for i in 0..<plan.subdistricts {
            try add(samplePad3(i + 1), SamplePlaces.uniqueName(suffix: "街道", used: &usedAreaNames, &rng), township: false)
        }
        var zhen = 0, xiang = 0
        for _ in 0..<plan.towns {
            if rng.chance(0.6) {
                try add(samplePad3(100 + zhen), SamplePlaces.uniqueName(suffix: "镇", used: &usedAreaNames, &rng), township: true)
                zhen += 1
            } else {
                try add(samplePad3(200 + xiang), SamplePlaces.uniqueName(suffix: "乡", used: &usedAreaNames, &rng), township: true)
                xiang += 1
            }
        }
    }

    private func makeVillages() throws {
        let towns = areas.indices.filter { areas[$0].township }
        let subdistricts = areas.indices.filter { !areas[$0].township }
        let perTown = sampleApportion(plan.villages, weights: towns.map { _ in 0.6 + 0.8 * rng.unit() })
        let perSubdistrict = sampleApportion(plan.communities, weights: subdistricts.map { _ in 0.6 + 0.8 * rng.unit() })
        for (k, a) in towns.enumerated() { try addVillages(area: a, count: perTown[k], community: false) }
        for (k, a) in subdistricts.enumerated() { try addVillages(area: a, count: perSubdistrict[k], community: true) }
    }

    private func addVillages(area a: Int, count: Int, community: Bool) throws {
        var used = Set<String>()
        for j in 0..<count {
            // Village committees are numbered from 201, residents' committees from 001.
            let number = community ? j + 1 : (201 + j <= 999 ? 201 + j : j - 798)
            let name = community ? SamplePlaces.communityName(used: &used, &rng) : SamplePlaces.villageName(used: &used, &rng)
            let v = Village(id: w.reserve(.village), area: a, name: name, community: community)
            w.village.int(v.id); w.village.int(areas[a].id); w.village.text(areas[a].code + samplePad3(number))
            w.village.text(name); w.village.text(community ? "community" : "village")
            try w.village.insert()
            areas[a].villages.append(villages.count)
            villages.append(v)
        }
    }

    // MARK: - Households

    static let attributesRural = SampleWeighted([("一般贫困户", 58), ("低保户", 20), ("低保贫困户", 16), ("五保户", 6)])
    static let attributesUrban = SampleWeighted([("低保户", 62), ("一般贫困户", 28), ("低保贫困户", 10)])
    static let causesRural = SampleWeighted([("因病", 24), ("缺资金", 17), ("缺技术", 15), ("缺劳力", 10), ("因学", 7), ("因残", 7),
                                             ("因灾", 4), ("缺土地", 3), ("缺水", 5), ("交通条件落后", 3), ("自身发展动力不足", 4), ("其它", 1)])
    static let causesUrban = SampleWeighted([("因病", 30), ("因残", 12), ("缺劳力", 14), ("缺技术", 14), ("缺资金", 8), ("因学", 9),
                                             ("自身发展动力不足", 6), ("因灾", 2), ("其它", 5)])
    static let causesFiveGuarantees = SampleWeighted([("缺劳力", 50), ("因病", 30), ("因残", 20)])
    static let membersRural = SampleWeighted([(1, 6), (2, 14), (3, 20), (4, 26), (5, 19), (6, 10), (7, 5)])
    static let membersUrban = SampleWeighted([(1, 12), (2, 25), (3, 33), (4, 20), (5, 8), (6, 2)])

    private func makeHouseholds() throws {
        let villageList = villages.indices.filter { !villages[$0].community }
        let communityList = villages.indices.filter { villages[$0].community }
        let rural = sampleApportion(plan.rural, weights: villageList.map { _ in 0.5 + rng.unit() })
        let urban = sampleApportion(plan.urban, weights: communityList.map { _ in 0.5 + rng.unit() })
        households.reserveCapacity(plan.households)
        for (k, v) in villageList.enumerated() { try addHouseholds(village: v, count: rural[k]) }
        for (k, v) in communityList.enumerated() { try addHouseholds(village: v, count: urban[k]) }
    }

    private func addHouseholds(village v: Int, count: Int) throws {
        let first = households.count
        let urban = villages[v].community
        let s = w.household
        for _ in 0..<count {
            let attribute = (urban ? Self.attributesUrban : Self.attributesRural).pick(&rng)
            let fiveGuarantees = attribute == "五保户"
            let male = rng.chance(fiveGuarantees ? 0.6 : (urban ? 0.7 : 0.88))
            let person = people.make(male: male, born: fiveGuarantees ? 1925...1952 : 1934...1984, &rng)
            let members = fiveGuarantees ? 1 : (urban ? Self.membersUrban : Self.membersRural).pick(&rng)
            let causes = fiveGuarantees ? Self.causesFiveGuarantees : (urban ? Self.causesUrban : Self.causesRural)
            let main = causes.pick(&rng)
            var others: [String] = []
            let otherCount = rng.below(100) < 38 ? 0 : (rng.below(100) < 60 ? 1 : 2)
            var attempts = 0
            while others.count < otherCount && attempts < 20 {
                attempts += 1
                let c = (urban ? Self.causesUrban : Self.causesRural).pick(&rng)
                if c != main && !others.contains(c) { others.append(c) }
            }
            let allCauses = [main] + others
            var income: Double? = incomeFor(urban: urban)
            let exited = !fiveGuarantees && rng.chance(0.03)
            if exited, let i = income { income = max(i, Double(2_800 + rng.below(1_200))) }
            let phone: String? = rng.chance(fiveGuarantees ? 0.4 : (urban ? 0.88 : 0.8)) ? SamplePeople.mobile(&rng) : nil
            let address: String
            if urban {
                address = villages[v].name + "\(rng.int(1...24))号楼\(rng.int(1...4))单元\(rng.int(1...6))0\(rng.int(1...4))室"
            } else {
                address = villages[v].name + SamplePeople.chineseNumbers[rng.below(min(12, max(3, count / 6 + 2)))] + "组"
            }
            func secured(_ p: Double, unless cause: String, _ q: Double) -> Bool {
                exited || rng.chance(allCauses.contains(cause) ? q : p)
            }
            let id = w.reserve(.household)
            s.int(id); s.int(villages[v].id); s.text(urban ? "urban" : "rural"); s.text(person.name); s.text(person.residentID)
            s.text(phone); s.text(address); s.text(attribute); s.text(main)
            s.text(others.count > 0 ? others[0] : nil); s.text(others.count > 1 ? others[1] : nil)
            s.int(members); s.real(income)
            s.bool(exited || rng.chance(0.96))
            s.bool(exited || rng.chance(0.97))
            s.bool(secured(0.94, unless: "因学", 0.7))
            s.bool(secured(0.9, unless: "因病", 0.72))
            s.bool(secured(urban ? 0.92 : 0.8, unless: "因灾", 0.45))
            s.int(exited ? 2012 : nil)
            try s.insert()
            households.append(Household(id: id, village: v, urban: urban, members: members, schooling: allCauses.contains("因学")))
        }
        villages[v].households = first..<households.count
    }

    /// Per-capita net income (rural, mostly 1,500–3,500 yuan) or disposable income (urban, higher),
    /// in whole yuan; now and then not yet recorded.
    private func incomeFor(urban: Bool) -> Double? {
        if rng.chance(0.01) { return nil }
        if urban { return Double(Int(min(8_000, max(2_500, rng.bell(mean: 4_800, spread: 900))))) }
        let r = rng.below(100)
        if r < 6 { return Double(rng.int(600...1_499)) }
        if r >= 95 { return Double(rng.int(3_501...4_600)) }
        return Double(Int(min(3_500, max(1_500, rng.bell(mean: 2_450, spread: 480)))))
    }
}
