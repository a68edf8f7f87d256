/// The flags of a Sluice command: `--name value`, `--name=value` and boolean `--name`,
/// shared by `sluice`, `sluice-controller` and `sluice-mock` so all three behave alike
/// (exit code 2 and a one-line reason on a usage error).
package struct CommandLineArguments {
    /// A usage error, printed with the command's help hint.
    package struct UsageError: Error, CustomStringConvertible {
        package var description: String
    }

    private var values: [String: String] = [:]
    private var flags: Set<String> = []
    /// Arguments that are not flags, in order (subcommands, file names).
    package private(set) var positional: [String] = []

    /// Parses `arguments` (without the program name). `valued` names the flags that take
    /// a value; `boolean` those that do not. Anything else is a usage error.
    package init(_ arguments: [String], valued: Set<String>, boolean: Set<String> = ["help"]) throws(UsageError) {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("--"), argument.count > 2 else {
                if argument == "-h" { flags.insert("help"); continue }
                positional.append(argument)
                continue
            }
            var name = String(argument.dropFirst(2))
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            if valued.contains(name) {
                if let inlineValue {
                    values[name] = inlineValue
                } else if index < arguments.count {
                    values[name] = arguments[index]
                    index += 1
                } else {
                    throw UsageError(description: "--\(name) needs a value")
                }
            } else if boolean.contains(name), inlineValue == nil {
                flags.insert(name)
            } else {
                throw UsageError(description: "unknown option --\(name)")
            }
        }
    }

    package func value(_ name: String) -> String? { values[name] }

    package func flag(_ name: String) -> Bool { flags.contains(name) }

    /// An integer flag within `range`, or `defaultValue` when absent.
    package func integer(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) throws(UsageError) -> Int {
        guard let text = values[name] else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            throw UsageError(description: "--\(name) must be an integer in \(range.lowerBound)...\(range.upperBound), got '\(text)'")
        }
        return value
    }
}
