import Foundation

/// The command that runs one prompt: an argv in which `{prompt}` stands for the prompt, e.g.
/// `["claude", "-p", "{prompt}"]`. Without `{prompt}` the prompt goes to the command's standard
/// input (`["my-agent"]`).
///
/// An argv, never a shell line: the prompt is one argument whatever it contains, so a prompt
/// cannot inject shell syntax.
public struct AgentCommandTemplate: Sendable, Hashable, CustomStringConvertible {
    public static let placeholder = "{prompt}"

    public let arguments: [String]

    /// Checks the shape: at least a program, no empty program name.
    public init(_ arguments: [String], source: String) throws(ControlPlaneError) {
        guard let program = arguments.first, !program.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw .invalidArgument("\(source) must name a program, e.g. [\"claude\", \"-p\", \"{prompt}\"]; got \(Self.json(arguments))")
        }
        guard !program.contains(Self.placeholder) else {
            throw .invalidArgument("\(source): the program itself cannot be the prompt; got \(Self.json(arguments))")
        }
        self.arguments = arguments
    }

    /// Parses a JSON array of strings (the form `NETCLODE_AGENT_COMMAND` takes).
    public init(json text: String, source: String) throws(ControlPlaneError) {
        guard let data = text.data(using: .utf8),
              let arguments = try? JSONDecoder().decode([String].self, from: data) else {
            throw .invalidArgument("\(source) must be a JSON array of strings, e.g. [\"claude\", \"-p\", \"{prompt}\"]; got \(text)")
        }
        try self.init(arguments, source: source)
    }

    /// Whether the prompt goes to standard input rather than into an argument.
    public var readsPromptFromStandardInput: Bool {
        !arguments.contains { $0.contains(Self.placeholder) }
    }

    /// The argv for `prompt`, and what goes to the command's standard input.
    public func command(for prompt: String) -> (arguments: [String], standardInput: String) {
        guard !readsPromptFromStandardInput else { return (arguments, prompt) }
        return (arguments.map { $0.replacingOccurrences(of: Self.placeholder, with: prompt) }, "")
    }

    public var description: String { Self.json(arguments) }

    static func json(_ arguments: [String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return (try? encoder.encode(arguments)).map { String(decoding: $0, as: UTF8.self) } ?? "\(arguments)"
    }
}
