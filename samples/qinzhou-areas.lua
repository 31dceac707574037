-- The 16 towns and 7 subdistricts of Qinzhou District (秦州区, division code 620502), with their
-- 9-digit division codes. Safe to run again: existing areas are left as they are.
--   linkage run samples/qinzhou-areas.lua
local county = "620502"
local subdistricts = {
  ["001"] = "大城街道", ["002"] = "七里墩街道", ["003"] = "东关街道", ["004"] = "中城街道",
  ["005"] = "西关街道", ["006"] = "石马坪街道", ["007"] = "天水郡街道",
}
local towns = {
  ["100"] = "玉泉镇", ["101"] = "太京镇", ["102"] = "藉口镇", ["103"] = "皂郊镇",
  ["104"] = "汪川镇", ["105"] = "牡丹镇", ["106"] = "关子镇", ["107"] = "平南镇",
  ["108"] = "天水镇", ["109"] = "娘娘坝镇", ["110"] = "中梁镇", ["111"] = "杨家寺镇",
  ["112"] = "齐寿镇", ["113"] = "大门镇", ["114"] = "秦岭镇", ["115"] = "华歧镇",
}

local added = 0
local function add(suffix, name, kind)
  added = added + db.exec(
    "INSERT INTO area (code, name, kind) VALUES (:code, :name, :kind) ON CONFLICT (code) DO NOTHING",
    { code = county .. suffix, name = name, kind = kind })
end
for suffix, name in pairs(subdistricts) do add(suffix, name, "subdistrict") end
for suffix, name in pairs(towns) do add(suffix, name, "township") end
print(("added %d areas; the register has %d"):format(added, db.value("SELECT count(*) FROM area")))
