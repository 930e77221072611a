import ArgumentParser
import NetclodeProto
import SwiftProtobuf

/// `proxy` or `token`, as `--credential-mode` takes it.
enum CredentialModeArgument: String, ExpressibleByArgument, CaseIterable {
    case proxy, token
}

/// The push policy flags shared by `session create` and `session policy`.
struct PushPolicyOptions: ParsableArguments {
    @Option(name: .customLong("push-branch"), help: ArgumentHelp("Only branches matching this glob may be pushed (repeatable; `*` matches across `/`).", valueName: "glob"))
    var branches: [String] = []

    @Option(name: .customLong("allow-force-push"), help: ArgumentHelp("Whether branches other than the default one may be force-pushed (default true).", valueName: "true|false"))
    var allowForcePush: Bool?

    @Option(name: .customLong("allow-delete"), help: ArgumentHelp("Whether branches other than the default one may be deleted (default true).", valueName: "true|false"))
    var allowDelete: Bool?

    /// The policy the flags describe; nil when none was given.
    var policy: Netclode_V1_PushPolicy? {
        guard !branches.isEmpty || allowForcePush != nil || allowDelete != nil else { return nil }
        return .with {
            $0.branches = branches
            if let allowForcePush { $0.allowForcePush = allowForcePush }
            if let allowDelete { $0.allowDelete = allowDelete }
        }
    }
}
