-- The check a district office schedules every week (cron):
--
--   linkage run --read-only samples/checks/weekly.lua [AS_OF] [OUT.xlsx]
--
-- Holds the register to every rule of the plan on AS_OF (default: today) for AS_OF's year, prints
-- the count of findings per check and the errors, writes every finding to OUT (default
-- findings-AS_OF.xlsx: one row per finding, for the office to work through), and exits 1 when an
-- error-severity finding exists, 0 otherwise, so cron mails only when something is wrong.
local as_of = arg[1] or os.date("%Y-%m-%d")
local out = arg[2] or ("findings-" .. as_of .. ".xlsx")

local findings = check.all{ as_of = as_of }
local s = check.summary(findings)
print(("Weekly check on %s (visits and activities of %s so far): %d errors, %d warnings, %d info")
  :format(as_of, as_of:sub(1, 4), s.error, s.warning, s.info))
for _, name in ipairs(check.names()) do
  print(("  %s %6d"):format(linkage.pad(name, 9), s.by_check[name] or 0))
end

-- The errors first: what breaks a rule of the plan (uncovered, over quota, staff who may not link).
local shown = 0
for _, f in ipairs(findings) do
  if f.severity == "error" then
    if shown == 0 then print("Errors:") end
    shown = shown + 1
    if shown <= 20 then print(("  %s  %s  %s: %s"):format(f.check, f.area or "", f.subject, f.message)) end
  end
end
if shown > 20 then print(("  … and %d more in %s"):format(shown - 20, out)) end

if #findings > 0 then
  export.xlsx(findings, out, { sheet = "findings" })
  print(("%d findings written to %s"):format(#findings, out))
end
os.exit(check.status(findings))
