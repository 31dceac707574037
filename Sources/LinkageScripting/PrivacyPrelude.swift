/// Personal data prints masked: resident IDs as 620502********123X and mobile numbers as
/// 138****1234, in everything `print` and `io.write` show, unless the session shows PII. Stored
/// values stay whole; only what reaches a person is masked.
enum PrivacyPrelude {
    /// The masking function, as a Lua expression of one string argument.
    static let maskFunction = #"""
function(s)
  s = s:gsub("%f[%d](%d%d%d%d%d%d)%d%d%d%d%d%d%d%d(%d%d%d[%dXx])%f[^%dXx]", "%1********%2")
  s = s:gsub("%f[%d](1[3-9]%d)%d%d%d%d(%d%d%d%d)%f[%D]", "%1****%2")
  return s
end
"""#

    static func source(showPII: Bool) -> String {
        """
        local mask = \(maskFunction)
        linkage = linkage or {}
        linkage.mask = mask
        linkage.show_pii = \(showPII)
        if linkage.show_pii then return end
        local raw_print, raw_write, tostring, select = print, io.write, tostring, select
        function print(...)
          local n = select("#", ...)
          local parts = table.pack(...)
          for i = 1, n do parts[i] = mask(tostring(parts[i])) end
          return raw_print(table.unpack(parts, 1, n))
        end
        function io.write(...)
          local parts = table.pack(...)
          for i = 1, parts.n do
            if type(parts[i]) == "string" then parts[i] = mask(parts[i]) end
          end
          return raw_write(table.unpack(parts, 1, parts.n))
        end
        """
    }
}
