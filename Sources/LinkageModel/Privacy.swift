import Foundation

/// Personal data in text meant for people: resident IDs keep their area code and last four
/// characters (620502********123X), mobile numbers their first three and last four (138****1234).
/// Lua output is masked by the same rules in LinkageScripting's PrivacyPrelude.
public enum Privacy {
    private static let residentID = try! NSRegularExpression(pattern: #"(?<![0-9])([0-9]{6})[0-9]{8}([0-9]{3}[0-9Xx])(?![0-9Xx])"#)
    private static let mobile = try! NSRegularExpression(pattern: #"(?<![0-9])(1[3-9][0-9])[0-9]{4}([0-9]{4})(?![0-9])"#)

    public static func mask(_ text: String) -> String {
        var s = text
        for (pattern, template) in [(residentID, "$1********$2"), (mobile, "$1****$2")] {
            s = pattern.stringByReplacingMatches(in: s, range: NSRange(s.startIndex..., in: s), withTemplate: template)
        }
        return s
    }
}
