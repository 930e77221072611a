import Foundation
import KubernetesRuntime

/// What the API server checks on a create before storing it, beyond the schema (which
/// `kubernetes-validate` checks on every captured body): the apiserver-side rules a schema cannot
/// express, and Pod Security Admission at the `restricted` level, as a namespace labelled
/// `pod-security.kubernetes.io/enforce=restricted` (what deploy/kubernetes sets) enforces it.
enum Admission {
    static func check(_ resource: StandInResource, namespace: String, _ object: JSONValue) throws(APIStatus) {
        guard object["kind"]?.stringValue == resource.kind, object["apiVersion"]?.stringValue == "v1" else {
            throw .badRequest("the object's kind/apiVersion (\(object["kind"]?.stringValue ?? "none")/\(object["apiVersion"]?.stringValue ?? "none")) does not match the resource \(resource.rawValue) (v1)")
        }
        let name = object.name
        if let bodyNamespace = object[path: ["metadata", "namespace"]]?.stringValue, bodyNamespace != namespace {
            throw .badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
        var causes: [(String, String)] = []
        if !isDNSSubdomain(name) {
            causes.append(("metadata.name", "Invalid value: \"\(name)\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'"))
        }
        for (key, value) in object.labels {
            if !isQualifiedName(key) { causes.append(("metadata.labels", "Invalid value: \"\(key)\": name part must be a valid qualified name")) }
            if !isLabelValue(value) { causes.append(("metadata.labels", "Invalid value: \"\(value)\": a valid label must be an empty string or 63 characters or less, alphanumeric, '-', '_' or '.'")) }
        }
        for reference in object[path: ["metadata", "ownerReferences"]]?.arrayValue ?? [] where (reference["uid"]?.stringValue ?? "").isEmpty {
            causes.append(("metadata.ownerReferences.uid", "Invalid value: \"\": uid must not be empty"))
        }
        switch resource {
        case .pods: causes += podCauses(object)
        case .secrets:
            for (key, value) in object["data"]?.objectValue ?? [:] where value.stringValue.flatMap({ Data(base64Encoded: $0) }) == nil {
                causes.append(("data[\(key)]", "Invalid value: not base64"))
            }
        case .persistentvolumeclaims:
            if (object[path: ["spec", "accessModes"]]?.arrayValue ?? []).isEmpty { causes.append(("spec.accessModes", "Required value: at least 1 access mode is required")) }
            if object[path: ["spec", "resources", "requests", "storage"]] == nil { causes.append(("spec.resources[storage]", "Required value")) }
        }
        guard causes.isEmpty else { throw .invalid(resource, name, causes: causes) }
        if resource == .pods {
            let violations = restrictedViolations(object)
            if !violations.isEmpty {
                throw .forbidden("pods \"\(name)\" is forbidden: violates PodSecurity \"restricted:latest\": " + violations.joined(separator: ", "))
            }
        }
    }

    private static func podCauses(_ pod: JSONValue) -> [(String, String)] {
        var causes: [(String, String)] = []
        let containers = pod[path: ["spec", "containers"]]?.arrayValue ?? []
        if containers.isEmpty { causes.append(("spec.containers", "Required value")) }
        let volumes = Set((pod[path: ["spec", "volumes"]]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue })
        for (index, container) in (containers + (pod[path: ["spec", "initContainers"]]?.arrayValue ?? [])).enumerated() {
            if (container["image"]?.stringValue ?? "").isEmpty { causes.append(("spec.containers[\(index)].image", "Required value")) }
            if !isDNSLabel(container["name"]?.stringValue ?? "") { causes.append(("spec.containers[\(index)].name", "Invalid value")) }
            for mount in container["volumeMounts"]?.arrayValue ?? [] where !volumes.contains(mount["name"]?.stringValue ?? "") {
                causes.append(("spec.containers[\(index)].volumeMounts.name", "Not found: \"\(mount["name"]?.stringValue ?? "")\""))
            }
        }
        return causes
    }

    /// The `restricted` profile's checks (https://kubernetes.io/docs/concepts/security/pod-security-standards/).
    static func restrictedViolations(_ pod: JSONValue) -> [String] {
        let spec = pod["spec"] ?? .object([:])
        let podSecurity = spec["securityContext"] ?? .object([:])
        let containers = (spec["initContainers"]?.arrayValue ?? []) + (spec["containers"]?.arrayValue ?? [])
        var violations: [String] = []
        for flag in ["hostNetwork", "hostPID", "hostIPC"] where spec[flag] == .bool(true) { violations.append("host namespaces (\(flag)=true)") }
        let allowedVolumes: Set<String> = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"]
        for volume in spec["volumes"]?.arrayValue ?? [] {
            let types = (volume.objectValue ?? [:]).keys.filter { $0 != "name" }
            if let type = types.first(where: { !allowedVolumes.contains($0) }) { violations.append("restricted volume types (volume \"\(volume["name"]?.stringValue ?? "")\" uses \(type))") }
        }
        for container in containers {
            let name = container["name"]?.stringValue ?? ""
            let security = container["securityContext"] ?? .object([:])
            if security["privileged"] == .bool(true) { violations.append("privileged (container \"\(name)\")") }
            if security["allowPrivilegeEscalation"] != .bool(false) { violations.append("allowPrivilegeEscalation != false (container \"\(name)\" must set securityContext.allowPrivilegeEscalation=false)") }
            if !(security["capabilities"]?["drop"]?.arrayValue ?? []).contains("ALL") { violations.append("unrestricted capabilities (container \"\(name)\" must set securityContext.capabilities.drop=[\"ALL\"])") }
            if let added = security["capabilities"]?["add"]?.arrayValue, added.contains(where: { $0 != "NET_BIND_SERVICE" }) { violations.append("unrestricted capabilities (container \"\(name)\" adds capabilities)") }
            let nonRoot = security["runAsNonRoot"] ?? podSecurity["runAsNonRoot"]
            if nonRoot != .bool(true) { violations.append("runAsNonRoot != true (container \"\(name)\")") }
            if (security["runAsUser"] ?? podSecurity["runAsUser"])?.intValue == 0 { violations.append("runAsUser=0 (container \"\(name)\")") }
            let seccomp = (security["seccompProfile"] ?? podSecurity["seccompProfile"])?["type"]?.stringValue
            if seccomp != "RuntimeDefault" && seccomp != "Localhost" { violations.append("seccompProfile (container \"\(name)\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")") }
        }
        return violations
    }

    static func isDNSLabel(_ text: String) -> Bool {
        guard !text.isEmpty, text.count <= 63, let first = text.first, let last = text.last else { return false }
        let allowed = { (c: Character) in c.isASCII && (c.isLowercase || c.isNumber) }
        return allowed(first) && allowed(last) && text.allSatisfy { allowed($0) || $0 == "-" }
    }

    static func isDNSSubdomain(_ text: String) -> Bool {
        text.count <= 253 && text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isDNSLabel(String($0)) }
    }

    /// `prefix/name` or `name`: the prefix a DNS subdomain, the name 63 characters of
    /// alphanumerics, `-`, `_`, `.`, starting and ending alphanumeric.
    static func isQualifiedName(_ key: String) -> Bool {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return false }
        if parts.count == 2, !isDNSSubdomain(String(parts[0])) { return false }
        let name = String(parts.last ?? "")
        return !name.isEmpty && isLabelValue(name)
    }

    static func isLabelValue(_ value: String) -> Bool {
        if value.isEmpty { return true }
        guard value.count <= 63, let first = value.first, let last = value.last, first.isASCII, last.isASCII,
              first.isLetter || first.isNumber, last.isLetter || last.isNumber else { return false }
        return value.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
    }
}
