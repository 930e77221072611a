import Foundation
import Sandbox

/// The objects a session's sandbox is made of, as the JSON the runtime sends:
///
/// - a PersistentVolumeClaim `netclode-<id>-workspace`, the workspace: not owned by the Pod, so
///   a pause (which deletes the Pod) keeps it; deleted with the session;
/// - a Pod `netclode-<id>` running `netclode agent`, hardened as the Pod Security Standards'
///   `restricted` profile asks and more (below);
/// - a Secret `netclode-<id>-agent` holding only the agent's channel secret (never a GitHub
///   token: those reach the agent over its authenticated channel, in memory), owned by the Pod,
///   so it goes when the Pod goes.
///
/// How the agent's secret reaches the agent and nothing else: the Secret is mounted only into an
/// init container, which copies it (`cp`) into a memory volume the agent's container mounts; the
/// agent reads that copy and deletes it before it runs anything (`NETCLODE_AGENT_SECRET_FILE`).
/// The secret is never in the Pod spec or an environment variable, and once the agent runs, no
/// file in its container holds it: the commands it runs (same uid) cannot find it, nor read the
/// agent's memory (it makes itself non-dumpable).
enum SandboxObjects {
    static let agentContainer = "agent"
    static let handoverContainer = "secret-handover"
    static let workspacePath = "/workspace"
    static let homePath = "/home/netclode"
    static let secretSourcePath = "/run/netclode/secret"
    static let handoverPath = "/run/netclode/handover"
    static let secretFileName = "agent-secret"
    /// The agent's grace on a delete without an explicit one (``SandboxRuntime/stop(sessionID:grace:)`` gives one).
    static let terminationGracePeriodSeconds = 10

    static func workspaceClaim(sessionID: String, settings: KubernetesRuntimeSettings) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": metadata(name: ObjectNames.workspaceClaim(sessionID), sessionID: sessionID, settings: settings),
            "spec": .object(omittingNil: [
                "accessModes": ["ReadWriteOnce"],
                "resources": ["requests": ["storage": .string(settings.workspaceSize)]],
                "storageClassName": settings.storageClassName.map { .string($0) },
            ]),
        ]
    }

    /// The Secret holding `lines` (`NAME=value`, the spec's secret variables), owned by the Pod.
    static func agentSecret(sessionID: String, lines: String, podUID: String, settings: KubernetesRuntimeSettings) -> JSONValue {
        var meta = metadata(name: ObjectNames.agentSecret(sessionID), sessionID: sessionID, settings: settings)
        if case .object(var fields) = meta {
            fields["ownerReferences"] = [[
                "apiVersion": "v1", "kind": "Pod", "name": .string(ObjectNames.pod(sessionID)), "uid": .string(podUID),
            ]]
            meta = .object(fields)
        }
        return [
            "apiVersion": "v1", "kind": "Secret", "type": "Opaque", "immutable": true,
            "metadata": meta,
            "data": [secretFileName: .string(Data(lines.utf8).base64EncodedString())],
        ]
    }

    /// The Pod of `spec`, whose `environment` has already lost its secret variables (they are
    /// in the Secret); `secretVariables` are the ones to point at the handed-over file.
    static func pod(_ spec: SandboxSpec, environment: [String: String], secretVariables: [String], settings: KubernetesRuntimeSettings) -> JSONValue {
        let id = spec.sessionID
        var env = environment
        env["HOME"] = homePath
        env["LANG"] = env["LANG"] ?? "C.UTF-8"
        for name in secretVariables { env[name + "_FILE"] = handoverPath + "/" + secretFileName }
        let resources = settings.resources
        var meta = metadata(name: ObjectNames.pod(id), sessionID: id, settings: settings)
        if case .object(var fields) = meta, !spec.annotations.isEmpty {
            fields["annotations"] = .object(Dictionary(uniqueKeysWithValues: spec.annotations.map { (ObjectNames.annotationPrefix + $0.key, JSONValue.string($0.value)) }))
            meta = .object(fields)
        }
        return [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": meta,
            "spec": .object(omittingNil: [
                "restartPolicy": "Never",
                // No API credentials in the sandbox: it has no business with the cluster.
                "automountServiceAccountToken": false,
                "serviceAccountName": settings.serviceAccountName.map { .string($0) },
                "enableServiceLinks": false,
                // The pause container is PID 1 (it reaps the orphans of the commands the agent
                // runs, and the agent gets SIGTERM's default action on delete).
                "shareProcessNamespace": true,
                "terminationGracePeriodSeconds": .int(terminationGracePeriodSeconds),
                "runtimeClassName": settings.runtimeClassName.map { .string($0) },
                "securityContext": [
                    "runAsNonRoot": true,
                    "runAsUser": .int(KubernetesRuntimeSettings.sandboxUser),
                    "runAsGroup": .int(KubernetesRuntimeSettings.sandboxUser),
                    "fsGroup": .int(KubernetesRuntimeSettings.sandboxUser),
                    "seccompProfile": ["type": "RuntimeDefault"],
                ],
                "initContainers": [[
                    "name": .string(handoverContainer),
                    "image": .string(settings.image),
                    "imagePullPolicy": .string(settings.imagePullPolicy),
                    "command": ["cp", .string(secretSourcePath + "/" + secretFileName), .string(handoverPath + "/" + secretFileName)],
                    "securityContext": containerSecurity,
                    "resources": [
                        "requests": ["cpu": "10m", "memory": "16Mi", "ephemeral-storage": "1Mi"],
                        "limits": ["cpu": "100m", "memory": "64Mi", "ephemeral-storage": "16Mi"],
                    ],
                    "volumeMounts": [
                        ["name": "agent-secret", "mountPath": .string(secretSourcePath), "readOnly": true],
                        ["name": "handover", "mountPath": .string(handoverPath)],
                    ],
                ]],
                "containers": [[
                    "name": .string(agentContainer),
                    "image": .string(settings.image),
                    "imagePullPolicy": .string(settings.imagePullPolicy),
                    "command": ["netclode"],
                    "args": .array(spec.arguments.map { .string($0) }),
                    "workingDir": .string(workspacePath),
                    "env": .array(env.keys.sorted().map { ["name": .string($0), "value": .string(env[$0] ?? "")] }),
                    "securityContext": containerSecurity,
                    "resources": [
                        "requests": ["cpu": .string(resources.cpuRequest), "memory": .string(resources.memoryRequest),
                                     "ephemeral-storage": .string(resources.ephemeralStorageRequest)],
                        "limits": ["cpu": .string(resources.cpuLimit), "memory": .string(resources.memoryLimit),
                                   "ephemeral-storage": .string(resources.ephemeralStorageLimit)],
                    ],
                    // The only writable places: the read-only root filesystem has none.
                    "volumeMounts": [
                        ["name": "workspace", "mountPath": .string(workspacePath)],
                        ["name": "home", "mountPath": .string(homePath)],
                        ["name": "tmp", "mountPath": "/tmp"],
                        ["name": "handover", "mountPath": .string(handoverPath)],
                    ],
                ]],
                "volumes": [
                    ["name": "workspace", "persistentVolumeClaim": ["claimName": .string(ObjectNames.workspaceClaim(id))]],
                    ["name": "home", "emptyDir": ["sizeLimit": .string(resources.ephemeralStorageLimit)]],
                    ["name": "tmp", "emptyDir": ["sizeLimit": .string(resources.ephemeralStorageLimit)]],
                    // Memory, and tiny: it holds the secret's copy from the init container until
                    // the agent deletes it, and never touches the node's disk.
                    ["name": "handover", "emptyDir": ["medium": "Memory", "sizeLimit": "1Mi"]],
                    // 0440: root-owned, readable through the fsGroup by the sandbox user.
                    ["name": "agent-secret", "secret": ["secretName": .string(ObjectNames.agentSecret(id)), "defaultMode": .int(0o440)]],
                ],
            ]),
        ]
    }

    /// What each container gets: no root, no privilege escalation, no capabilities, a read-only
    /// root filesystem.
    private static let containerSecurity: JSONValue = [
        "runAsNonRoot": true,
        "allowPrivilegeEscalation": false,
        "privileged": false,
        "readOnlyRootFilesystem": true,
        "capabilities": ["drop": ["ALL"]],
        "seccompProfile": ["type": "RuntimeDefault"],
    ]

    private static func metadata(name: String, sessionID: String, settings: KubernetesRuntimeSettings) -> JSONValue {
        [
            "name": .string(name),
            "namespace": .string(settings.namespace),
            "labels": .object(ObjectNames.labels(sessionID).mapValues { .string($0) }),
        ]
    }
}
