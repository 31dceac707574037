import LinkageModel

/// Division codes and place names: the real ones of Qinzhou and of Gansu's counties, and
/// plausible made-up ones where the real ones are not recorded here.
enum SamplePlaces {
    /// Qinzhou District (秦州区), the seed: its 7 subdistricts and 16 towns, 2012.
    static let qinzhouCode = "620502"
    static let qinzhouSubdistricts: [(suffix: String, name: String)] = [
        ("001", "大城街道"), ("002", "七里墩街道"), ("003", "东关街道"), ("004", "中城街道"),
        ("005", "西关街道"), ("006", "石马坪街道"), ("007", "天水郡街道"),
    ]
    static let qinzhouTowns: [(suffix: String, name: String)] = [
        ("100", "玉泉镇"), ("101", "太京镇"), ("102", "藉口镇"), ("103", "皂郊镇"), ("104", "汪川镇"), ("105", "牡丹镇"),
        ("106", "关子镇"), ("107", "平南镇"), ("108", "天水镇"), ("109", "娘娘坝镇"), ("110", "中梁镇"), ("111", "杨家寺镇"),
        ("112", "齐寿镇"), ("113", "大门镇"), ("114", "秦岭镇"), ("115", "华歧镇"),
    ]

    struct County {
        let code: String
        let name: String
        /// The name without 区/县/市 (秦州, 榆中), for names such as 中国移动秦州分公司.
        let short: String
        let prefecture: String
    }

    /// Gansu's 14 prefectures and their county-level divisions (GB/T 2260, early 2010s).
    static let gansuPrefectures: [(code: String, name: String, counties: [(String, String, String)])] = [
        ("6201", "兰州市", [("620102", "城关区", "城关"), ("620103", "七里河区", "七里河"), ("620104", "西固区", "西固"),
                          ("620105", "安宁区", "安宁"), ("620111", "红古区", "红古"), ("620121", "永登县", "永登"),
                          ("620122", "皋兰县", "皋兰"), ("620123", "榆中县", "榆中")]),
        ("6202", "嘉峪关市", [("620201", "嘉峪关市", "嘉峪关")]),
        ("6203", "金昌市", [("620302", "金川区", "金川"), ("620321", "永昌县", "永昌")]),
        ("6204", "白银市", [("620402", "白银区", "白银"), ("620403", "平川区", "平川"), ("620421", "靖远县", "靖远"),
                          ("620422", "会宁县", "会宁"), ("620423", "景泰县", "景泰")]),
        ("6205", "天水市", [("620502", "秦州区", "秦州"), ("620503", "麦积区", "麦积"), ("620521", "清水县", "清水"),
                          ("620522", "秦安县", "秦安"), ("620523", "甘谷县", "甘谷"), ("620524", "武山县", "武山"),
                          ("620525", "张家川回族自治县", "张家川")]),
        ("6206", "武威市", [("620602", "凉州区", "凉州"), ("620621", "民勤县", "民勤"), ("620622", "古浪县", "古浪"),
                          ("620623", "天祝藏族自治县", "天祝")]),
        ("6207", "张掖市", [("620702", "甘州区", "甘州"), ("620721", "肃南裕固族自治县", "肃南"), ("620722", "民乐县", "民乐"),
                          ("620723", "临泽县", "临泽"), ("620724", "高台县", "高台"), ("620725", "山丹县", "山丹")]),
        ("6208", "平凉市", [("620802", "崆峒区", "崆峒"), ("620821", "泾川县", "泾川"), ("620822", "灵台县", "灵台"),
                          ("620823", "崇信县", "崇信"), ("620824", "华亭县", "华亭"), ("620825", "庄浪县", "庄浪"),
                          ("620826", "静宁县", "静宁")]),
        ("6209", "酒泉市", [("620902", "肃州区", "肃州"), ("620921", "金塔县", "金塔"), ("620922", "瓜州县", "瓜州"),
                          ("620923", "肃北蒙古族自治县", "肃北"), ("620924", "阿克塞哈萨克族自治县", "阿克塞"),
                          ("620981", "玉门市", "玉门"), ("620982", "敦煌市", "敦煌")]),
        ("6210", "庆阳市", [("621002", "西峰区", "西峰"), ("621021", "庆城县", "庆城"), ("621022", "环县", "环县"),
                          ("621023", "华池县", "华池"), ("621024", "合水县", "合水"), ("621025", "正宁县", "正宁"),
                          ("621026", "宁县", "宁县"), ("621027", "镇原县", "镇原")]),
        ("6211", "定西市", [("621102", "安定区", "安定"), ("621121", "通渭县", "通渭"), ("621122", "陇西县", "陇西"),
                          ("621123", "渭源县", "渭源"), ("621124", "临洮县", "临洮"), ("621125", "漳县", "漳县"),
                          ("621126", "岷县", "岷县")]),
        ("6212", "陇南市", [("621202", "武都区", "武都"), ("621221", "成县", "成县"), ("621222", "文县", "文县"),
                          ("621223", "宕昌县", "宕昌"), ("621224", "康县", "康县"), ("621225", "西和县", "西和"),
                          ("621226", "礼县", "礼县"), ("621227", "徽县", "徽县"), ("621228", "两当县", "两当")]),
        ("6229", "临夏州", [("622901", "临夏市", "临夏市"), ("622921", "临夏县", "临夏县"), ("622922", "康乐县", "康乐"),
                          ("622923", "永靖县", "永靖"), ("622924", "广河县", "广河"), ("622925", "和政县", "和政"),
                          ("622926", "东乡族自治县", "东乡"), ("622927", "积石山保安族东乡族撒拉族自治县", "积石山")]),
        ("6230", "甘南州", [("623001", "合作市", "合作"), ("623021", "临潭县", "临潭"), ("623022", "卓尼县", "卓尼"),
                          ("623023", "舟曲县", "舟曲"), ("623024", "迭部县", "迭部"), ("623025", "玛曲县", "玛曲"),
                          ("623026", "碌曲县", "碌曲"), ("623027", "夏河县", "夏河")]),
    ]

    static var gansuCounties: [County] {
        gansuPrefectures.flatMap { p in p.counties.map { County(code: $0.0, name: $0.1, short: $0.2, prefecture: p.name) } }
    }

    /// The 31 provinces and a weight for their share of the 2014 register's poor households.
    static let provinces: [(code: String, name: String, weight: Double)] = [
        ("11", "北京市", 0.3), ("12", "天津市", 0.3), ("13", "河北省", 60), ("14", "山西省", 55), ("15", "内蒙古自治区", 30),
        ("21", "辽宁省", 30), ("22", "吉林省", 25), ("23", "黑龙江省", 35), ("31", "上海市", 0.3), ("32", "江苏省", 40),
        ("33", "浙江省", 20), ("34", "安徽省", 100), ("35", "福建省", 15), ("36", "江西省", 95), ("37", "山东省", 90),
        ("41", "河南省", 200), ("42", "湖北省", 150), ("43", "湖南省", 190), ("44", "广东省", 40), ("45", "广西壮族自治区", 180),
        ("46", "海南省", 12), ("50", "重庆市", 55), ("51", "四川省", 200), ("52", "贵州省", 220), ("53", "云南省", 190),
        ("54", "西藏自治区", 15), ("61", "陕西省", 100), ("62", "甘肃省", 76), ("63", "青海省", 15), ("64", "宁夏回族自治区", 15),
        ("65", "新疆维吾尔自治区", 70),
    ]

    // Characters of made-up place names: a first and a last, and the landforms of village names.
    static let firstChars = Array("安白柏宝北城崇大丹东丰凤福甘高古官关广河和黑红洪侯华槐黄吉金旧康兰老良凉林临柳龙芦马麦梅南宁牛盘平蒲七齐秦青清三沙山上神石双水松太桃天田铁通土王渭温文吴五西下仙小新杏兴崖盐杨阳腰永榆玉园云枣张赵中周朱庄紫碧川泉峡岩阿八百草茶陈赤定峨汉鹤花皇会回江景靖九乐礼连莲灵六鲁罗明木磨潘彭坪千桥仁圣寿苏唐滩汤塔团万旺望武夏香祥孝辛秀许延燕尧银营鱼岳长正芝竹")
    static let lastChars = Array("安坝川店沟关河湖集家涧口岭林门坪桥泉山寺台滩湾峡堡寨原庄子洼坡岔铺营城塬峪崖池水阳溪渠堰坊头源塘埠")
    static let landforms = Array("庄湾沟川坪河山峡台坡岘寺堡营窑集店寨岔门峪塬屲嘴崖园院坝梁洼")
    static let villagePrefixes = Array("东西南北上下前后大小新老中高石柳杨松柏杏桃梨枣红黄白青马牛羊龙凤水泉草花麻磨窑庙")
    static let roadStems = ["环城", "民主", "青年", "解放", "建设", "人民", "自由", "光明", "文化", "和平", "迎宾", "滨河", "双桥",
                            "岷山", "藉河", "公园", "尚义", "伏羲", "成纪", "天河", "南明", "北关", "西关", "东关", "中山", "长城",
                            "金龙", "玉泉", "泰山", "皇城", "合作", "团结", "幸福", "胜利", "红旗", "友谊", "新华", "东风", "育才",
                            "建新", "春风", "明珠", "花园", "锦绣", "朝阳", "兴隆", "北园", "南湖", "东岗", "西湖"]

    /// A made-up name with `suffix` (镇, 乡, 街道, 县 …) not in `used`, which it joins.
    static func uniqueName(suffix: String, used: inout Set<String>, _ rng: inout SampleRandom) -> String {
        var attempt = 0
        while true {
            attempt += 1
            var stem = String(rng.pick(firstChars)) + String(rng.pick(lastChars))
            if attempt > 4 {
                stem = String(rng.pick(firstChars)) + String(rng.pick(firstChars)) + String(rng.pick(lastChars))
            }
            let name = stem + suffix
            if used.insert(name).inserted { return name }
        }
    }

    /// A poor village's name (张家庄村, 石峡村, 安川坪村), not yet used in its township.
    static func villageName(used: inout Set<String>, _ rng: inout SampleRandom) -> String {
        while true {
            let r = rng.below(100)
            let stem: String
            if r < 45 {
                var surname = SamplePeople.surnames.pick(&rng)
                if surname.count > 1 { surname = "王" }
                stem = surname + "家" + String(rng.pick(landforms))
            } else if r < 80 {
                stem = String(rng.pick(villagePrefixes)) + String(rng.pick(landforms))
            } else {
                stem = String(rng.pick(firstChars)) + String(rng.pick(lastChars)) + String(rng.pick(landforms))
            }
            let name = stem + "村"
            if used.insert(name).inserted { return name }
        }
    }

    /// An urban community's name (环城西路社区, 尚义巷社区), not yet used in its subdistrict.
    static func communityName(used: inout Set<String>, _ rng: inout SampleRandom) -> String {
        let directions = ["东", "西", "南", "北", "中", ""]
        let places = ["里", "苑", "园", "巷", "街", "坊", "村"]
        var attempt = 0
        while true {
            attempt += 1
            let stem = rng.pick(roadStems)
            var name = rng.chance(0.6) ? stem + rng.pick(directions) + "路" : stem + rng.pick(places)
            if attempt > 20 { name = String(rng.pick(firstChars)) + name }
            name += "社区"
            if used.insert(name).inserted { return name }
        }
    }
}
