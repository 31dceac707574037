import LinkageModel

/// One county of a sample: where it is and how much of everything it holds. A sample is generated
/// county by county, each county on its own and forgotten once written, so memory stays the same
/// whatever the scale.
struct SampleCountyPlan {
    var code: String
    var name: String
    var short: String
    var prefecture: String
    /// What unit names start with: 区 (区委, 区发改局) when the sample is the one district,
    /// else the county's name (秦州区委, 榆中县发改局).
    var unitPrefix: String
    /// 区, 县 or 市, for titles (区委书记, 县长).
    var level: String
    /// Qinzhou's real towns and subdistricts, instead of made-up ones.
    var qinzhou: Bool
    var rural = 0, urban = 0
    var villages = 0, communities = 0
    var towns = 0, subdistricts = 0
    var departments = 0, massOrgs = 0, garrisons = 0, stationed = 0, enterprises = 0, volunteers = 0
    /// Cadres with a role the county should have; 0: as many as its households need.
    var roleCadreTarget = 0
    /// Units of the prefecture or province placed in this county (kind 'stationed').
    var extraStationed: [String] = []

    var households: Int { rural + urban }
}

/// The counties of a sample, in the order they are generated.
struct SamplePlan {
    var counties: [SampleCountyPlan]
    /// Cadres the sample should have, when the scale says (province, nation); 0 otherwise.
    var cadreTarget: Int
    var households: Int { counties.reduce(0) { $0 + $1.households } }

    // The seed district's figures.
    static let seedRural = 7_000, seedUrban = 790, seedVillages = 214, seedCommunities = 41
    static var seedHouseholds: Int { seedRural + seedUrban }

    static func make(_ scale: SampleScale, seed: UInt64) -> SamplePlan {
        var rng = SampleRandom(seed: seed, stream: 0x504C_414E) // "PLAN"
        switch scale {
        case .district:
            return SamplePlan(counties: [qinzhouDistrict()], cadreTarget: 0)
        case .households(let n):
            return proportional(n, &rng)
        case .province:
            return province(&rng)
        case .nation:
            return nation(&rng)
        }
    }

    /// The seed district exactly.
    static func qinzhouDistrict() -> SampleCountyPlan {
        var c = SampleCountyPlan(code: SamplePlaces.qinzhouCode, name: "秦州区", short: "秦州", prefecture: "天水市",
                                 unitPrefix: "区", level: "区", qinzhou: true)
        c.rural = seedRural; c.urban = seedUrban
        c.villages = seedVillages; c.communities = seedCommunities
        c.towns = SamplePlaces.qinzhouTowns.count; c.subdistricts = SamplePlaces.qinzhouSubdistricts.count
        c.departments = 60; c.massOrgs = 9; c.garrisons = 3; c.stationed = 24; c.enterprises = 12; c.volunteers = 4
        return c
    }

    /// `n` households in counties the size of the seed district (one county up to about 1.5 times
    /// its size), everything in the seed's proportions.
    static func proportional(_ n: Int, _ rng: inout SampleRandom) -> SamplePlan {
        let countyCount = max(1, Int((Double(n) / Double(seedHouseholds)).rounded()))
        let places = countyList(countyCount, &rng)
        let sizes = sampleApportion(n, weights: [Double](repeating: 1, count: countyCount))
        var counties: [SampleCountyPlan] = []
        for (i, place) in places.enumerated() {
            let f = Double(sizes[i]) / Double(seedHouseholds)
            var c = SampleCountyPlan(code: place.code, name: place.name, short: place.short, prefecture: place.prefecture,
                                     unitPrefix: countyCount == 1 ? "区" : place.name, level: level(of: place.name),
                                     qinzhou: place.code == SamplePlaces.qinzhouCode)
            c.rural = Int((Double(sizes[i]) * Double(seedRural) / Double(seedHouseholds)).rounded())
            c.urban = sizes[i] - c.rural
            c.villages = c.rural > 0 ? min(c.rural, max(1, Int((Double(seedVillages) * f).rounded()))) : 0
            c.communities = c.urban > 0 ? min(c.urban, max(1, Int((Double(seedCommunities) * f).rounded()))) : 0
            if c.qinzhou {
                c.towns = SamplePlaces.qinzhouTowns.count; c.subdistricts = SamplePlaces.qinzhouSubdistricts.count
            } else {
                c.towns = max(1, min(max(1, c.villages), Int((16 * f).rounded())))
                c.subdistricts = c.communities > 0 ? max(1, min(c.communities, Int((7 * f).rounded()))) : 0
            }
            func scaled(_ x: Double, max top: Int) -> Int { min(top, max(1, Int((x * f).rounded()))) }
            c.departments = scaled(60, max: SampleUnits.departments.count)
            c.massOrgs = scaled(9, max: SampleUnits.massOrgs.count)
            c.garrisons = scaled(3, max: SampleUnits.garrisons.count)
            c.stationed = scaled(24, max: SampleUnits.stationed.count)
            c.enterprises = scaled(12, max: SampleUnits.enterprises.count)
            c.volunteers = scaled(4, max: SampleUnits.volunteers.count)
            counties.append(c)
        }
        return SamplePlan(counties: counties, cadreTarget: 0)
    }

    /// Gansu: its 87 counties, ≈ 1,000,000 households, ≈ 410,000 cadres, ≈ 15,500 villages and
    /// communities, ≈ 14,000 units (prefectural and provincial units included).
    static func province(_ rng: inout SampleRandom) -> SamplePlan {
        var counties = SamplePlaces.gansuCounties.map { place -> SampleCountyPlan in
            SampleCountyPlan(code: place.code, name: place.name, short: place.short, prefecture: place.prefecture,
                             unitPrefix: place.name, level: level(of: place.name), qinzhou: place.code == SamplePlaces.qinzhouCode)
        }
        fill(&counties, households: 1_000_000, villages: 13_000, communities: 2_500, cadres: 410_000,
             departments: 62...78, stationed: 30...46, enterprises: 10...15, &rng)
        // Each prefecture's and the province's own units link villages in one of its counties.
        var byPrefecture: [String: [Int]] = [:]
        for (i, c) in counties.enumerated() { byPrefecture[c.prefecture, default: []].append(i) }
        for prefecture in SamplePlaces.gansuPrefectures.map(\.name) {
            let members = byPrefecture[prefecture] ?? []
            // 嘉峪关市 is a prefecture and its own only county: its units are the county's.
            guard !members.isEmpty, !members.contains(where: { counties[$0].name == prefecture }) else { continue }
            for (k, template) in SampleUnits.prefectureUnits.enumerated() {
                let name = template.replacingOccurrences(of: "{P}", with: prefecture)
                counties[members[(k + rng.below(members.count)) % members.count]].extraStationed.append(name)
            }
        }
        for (k, name) in SampleUnits.provinceUnits.enumerated() {
            counties[(k * 7 + rng.below(counties.count)) % counties.count].extraStationed.append(name)
        }
        return SamplePlan(counties: counties, cadreTarget: 410_000)
    }

    /// The nation: 31 provinces, ≈ 2,850 counties (Gansu's real ones, made-up ones elsewhere),
    /// ≈ 29,500,000 households, ≈ 3,000,000 cadres, 128,000 poor villages.
    static func nation(_ rng: inout SampleRandom) -> SamplePlan {
        let places = countyList(2_850, &rng, nationOrder: true)
        var counties = places.map { place -> SampleCountyPlan in
            SampleCountyPlan(code: place.code, name: place.name, short: place.short, prefecture: place.prefecture,
                             unitPrefix: place.name, level: level(of: place.name), qinzhou: place.code == SamplePlaces.qinzhouCode)
        }
        // Households by province weight, then by county within a province.
        let provinceOf = counties.map { String($0.code.prefix(2)) }
        let weights = counties.indices.map { i -> Double in
            let p = SamplePlaces.provinces.first { $0.code == provinceOf[i] }!
            let inProvince = Double(provinceOf.filter { $0 == provinceOf[i] }.count)
            return p.weight / inProvince
        }
        fill(&counties, households: 29_500_000, villages: 128_000, communities: 22_000, cadres: 3_000_000,
             departments: 45...62, stationed: 6...20, enterprises: 3...8, &rng, weights: weights)
        return SamplePlan(counties: counties, cadreTarget: 3_000_000)
    }

    /// Shares totals among counties, in proportion to `weights` varied a little per county.
    private static func fill(_ counties: inout [SampleCountyPlan], households: Int, villages: Int, communities: Int,
                             cadres: Int, departments: ClosedRange<Int>, stationed: ClosedRange<Int>, enterprises: ClosedRange<Int>,
                             _ rng: inout SampleRandom, weights: [Double]? = nil) {
        let w = counties.indices.map { i in (weights?[i] ?? 1) * (0.6 + 0.8 * rng.unit()) }
        let hh = sampleApportion(households, weights: w)
        let urbanShare = counties.map { c -> Double in
            switch c.level { case "区": return 0.28; case "市": return 0.16; default: return 0.06 }
        }
        for i in counties.indices {
            counties[i].urban = Int((Double(hh[i]) * urbanShare[i]).rounded())
            counties[i].rural = hh[i] - counties[i].urban
        }
        let v = sampleApportion(villages, weights: counties.map { Double($0.rural) })
        let c = sampleApportion(communities, weights: counties.map { Double($0.urban) })
        let cadreShares = sampleApportion(cadres, weights: hh.map(Double.init))
        for i in counties.indices {
            var county = counties[i]
            county.villages = county.rural > 0 ? min(county.rural, max(1, v[i])) : 0
            county.communities = county.urban > 0 ? min(county.urban, max(1, c[i])) : 0
            if county.qinzhou {
                county.towns = SamplePlaces.qinzhouTowns.count
                county.subdistricts = SamplePlaces.qinzhouSubdistricts.count
            } else {
                county.towns = max(1, min(max(1, county.villages), rng.int(10...18)))
                county.subdistricts = county.communities > 0 ? max(1, min(county.communities, min(12, county.communities / 12 + 1))) : 0
            }
            county.departments = min(SampleUnits.departments.count, rng.int(departments))
            county.massOrgs = rng.int(7...9)
            county.garrisons = rng.int(1...4)
            county.stationed = min(SampleUnits.stationed.count, rng.int(stationed))
            county.enterprises = min(SampleUnits.enterprises.count, rng.int(enterprises))
            county.volunteers = rng.int(1...4)
            county.roleCadreTarget = Int(Double(cadreShares[i]) * (1 - SampleUnits.excludedShare))
            counties[i] = county
        }
    }

    static func level(of name: String) -> String {
        if name.hasSuffix("区") { return "区" }
        if name.hasSuffix("市") { return "市" }
        return "县"
    }

    /// `n` counties: Qinzhou first, then the rest of Gansu, then made-up counties of the other
    /// provinces in proportion to their weight (nationOrder: every province in code order, Gansu's
    /// real counties in their place).
    static func countyList(_ n: Int, _ rng: inout SampleRandom, nationOrder: Bool = false) -> [SamplePlaces.County] {
        let gansu = SamplePlaces.gansuCounties
        var usedStems = Set(gansu.map(\.short))
        var usedNames = Set(gansu.map(\.name))
        var usedUnitNames = Set(gansu.flatMap { SampleUnits.countyUnitNames(name: $0.name, short: $0.short) })
        let others = SamplePlaces.provinces.filter { $0.code != "62" }
        let gansuCount = nationOrder ? gansu.count : min(n, gansu.count)
        let madeUp = max(0, n - gansuCount)
        let perProvince = sampleApportion(madeUp, weights: others.map(\.weight))
        func madeUpCounties(_ province: (code: String, name: String, weight: Double), _ count: Int) -> [SamplePlaces.County] {
            var list: [SamplePlaces.County] = []
            let perPrefecture = max(9, (count + 98) / 99)
            for j in 0..<count {
                let prefecture = j / perPrefecture + 1
                let k = j % perPrefecture
                let kind = k == 0 ? "区" : (rng.chance(0.1) ? "市" : "县")
                var stem: String
                var unitNames: [String]
                repeat {
                    stem = String(rng.pick(SamplePlaces.firstChars)) + String(rng.pick(SamplePlaces.lastChars))
                    if usedStems.contains(stem) {
                        stem = String(rng.pick(SamplePlaces.firstChars)) + stem
                    }
                    unitNames = SampleUnits.countyUnitNames(name: stem + kind, short: stem)
                } while usedStems.contains(stem) || usedNames.contains(stem + kind) || unitNames.contains(where: usedUnitNames.contains)
                usedStems.insert(stem)
                usedNames.insert(stem + kind)
                usedUnitNames.formUnion(unitNames)
                let suffix = k == 0 ? 2 : (kind == "市" && k < 19 ? 80 + k : 20 + k)
                let code = province.code + pad2(prefecture) + pad2(suffix)
                list.append(SamplePlaces.County(code: code, name: stem + kind, short: stem, prefecture: ""))
            }
            return list
        }
        if nationOrder {
            var list: [SamplePlaces.County] = []
            var k = 0
            for p in SamplePlaces.provinces {
                if p.code == "62" { list.append(contentsOf: gansu); continue }
                list.append(contentsOf: madeUpCounties(p, max(1, perProvince[k])))
                k += 1
            }
            return list
        }
        let qinzhou = gansu.first { $0.code == SamplePlaces.qinzhouCode }!
        var list = [qinzhou] + gansu.filter { $0.code != SamplePlaces.qinzhouCode }
        list = Array(list.prefix(gansuCount))
        for (k, p) in others.enumerated() where perProvince[k] > 0 {
            list.append(contentsOf: madeUpCounties(p, perProvince[k]))
        }
        return list
    }

    static func pad2(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n % 100) }
}

func samplePad3(_ n: Int) -> String {
    n < 10 ? "00\(n)" : (n < 100 ? "0\(n)" : String(n))
}
