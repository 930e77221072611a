import Foundation
import _CryptoExtras

/// Creates a forge data directory: App + key, installations, bare repositories.
///
/// Everything is built in a sibling temporary directory and renamed into place at the end, so a
/// bad argument or a failing git leaves nothing half-made behind.
public enum ForgeInitializer {
    /// The permissions every installation is granted.
    public static let grantedPermissions = ["contents": "write", "metadata": "read", "issues": "write", "pull_requests": "write"]
    public static let appSlug = "netclode-forge"
    public static let appName = "Netclode Forge"

    struct PlannedRepository {
        var owner: String
        var name: String
        var importPath: String?
        var installed: Bool
        /// `OWNER/NAME` of the repository this one is a fork of.
        var forkOf: (owner: String, name: String)? = nil

        func matches(_ owner: String, _ name: String) -> Bool {
            self.owner.caseInsensitiveCompare(owner) == .orderedSame && self.name.caseInsensitiveCompare(name) == .orderedSame
        }
    }

    struct Plan {
        var owners: [String]
        var repositories: [PlannedRepository]
        var people: PeoplePlan
    }

    public static func initialise(_ options: ForgeInitOptions) async throws -> ForgeInitResult {
        let plan = try makePlan(options)
        let target = options.dataDirectory.standardizedFileURL
        let fileManager = FileManager.default
        try checkTarget(target)

        let parent = target.deletingLastPathComponent()
        try fileManager.createDirectory(at: parent, withIntermediateDirectories: true)
        let staging = parent.appendingPathComponent(".\(target.lastPathComponent).forge-init-\(UUID().uuidString.prefix(8))")
        try fileManager.createDirectory(at: staging, withIntermediateDirectories: false)
        do {
            let metadata = try await build(plan: plan, options: options, in: ForgeLayout(dataDirectory: staging))
            if fileManager.fileExists(atPath: target.path) {
                try fileManager.removeItem(at: target)  // checked empty above
            }
            try fileManager.moveItem(at: staging, to: target)
            let layout = ForgeLayout(dataDirectory: target)
            return ForgeInitResult(metadata: metadata, privateKeyPath: layout.privateKeyFile.path,
                                   userTokenPaths: plan.people.logins.map { ($0, layout.userTokenFile(login: $0).path) },
                                   webhook: options.webhook)
        } catch {
            try? fileManager.removeItem(at: staging)
            throw error
        }
    }

    private static func checkTarget(_ target: URL) throws {
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        guard fileManager.fileExists(atPath: target.path, isDirectory: &isDirectory) else { return }
        if fileManager.fileExists(atPath: ForgeLayout(dataDirectory: target).metadataFile.path) {
            throw ForgeError.alreadyInitialised(target.path)
        }
        guard isDirectory.boolValue else {
            throw ForgeError.invalidArgument(argument: "--data \(target.path)", reason: "exists and is not a directory")
        }
        let contents = (try? fileManager.contentsOfDirectory(atPath: target.path)) ?? []
        guard contents.isEmpty else {
            throw ForgeError.invalidArgument(argument: "--data \(target.path)", reason: "the directory is not empty; give a new or empty directory")
        }
    }

    /// Validates every argument before anything touches the disk.
    private static func makePlan(_ options: ForgeInitOptions) throws -> Plan {
        guard options.appID > 0 else {
            throw ForgeError.invalidArgument(argument: "--app-id \(options.appID)", reason: "must be a positive integer")
        }
        var owners: [String] = []
        func addOwner(_ owner: String) {
            if !owners.contains(where: { $0.caseInsensitiveCompare(owner) == .orderedSame }) { owners.append(owner) }
        }
        for owner in options.owners {
            if let problem = GitHubNames.ownerProblem(owner) {
                throw ForgeError.invalidArgument(argument: "--owner \(owner)", reason: problem)
            }
            addOwner(owner)
        }
        var repositories: [PlannedRepository] = []
        func add(_ repository: PlannedRepository, argument: String) throws {
            if repositories.contains(where: { $0.matches(repository.owner, repository.name) }) {
                if repository.importPath == nil && repository.installed { return }  // plain duplicate --repo
                throw ForgeError.invalidArgument(argument: argument, reason: "\(repository.owner)/\(repository.name) is given more than once")
            }
            repositories.append(repository)
        }
        for value in options.repositories {
            let (owner, name) = try GitHubNames.parseFullName(value, argument: "--repo")
            addOwner(owner)
            try add(PlannedRepository(owner: owner, name: name, importPath: nil, installed: true), argument: "--repo \(value)")
        }
        for value in options.imports {
            guard let equals = value.firstIndex(of: "=") else {
                throw ForgeError.invalidArgument(argument: "--import \(value)", reason: "expected OWNER/NAME=PATH")
            }
            let (owner, name) = try GitHubNames.parseFullName(String(value[..<equals]), argument: "--import")
            let path = String(value[value.index(after: equals)...])
            guard !path.isEmpty, FileManager.default.fileExists(atPath: path) else {
                throw ForgeError.invalidArgument(argument: "--import \(value)", reason: "no repository at '\(path)'")
            }
            addOwner(owner)
            try add(PlannedRepository(owner: owner, name: name, importPath: URL(fileURLWithPath: path).standardizedFileURL.path, installed: true),
                    argument: "--import \(value)")
        }
        for value in options.uninstalledRepositories {
            let (owner, name) = try GitHubNames.parseFullName(value, argument: "--uninstalled-repo")
            try add(PlannedRepository(owner: owner, name: name, importPath: nil, installed: false), argument: "--uninstalled-repo \(value)")
        }
        for value in options.forks {
            let argument = "--fork \(value)"
            let sides = value.split(separator: "=", omittingEmptySubsequences: false).map(String.init)
            guard sides.count == 2 else { throw ForgeError.invalidArgument(argument: argument, reason: "expected FORKOWNER/NAME=OWNER/NAME") }
            let fork = try GitHubNames.parseFullName(sides[0], argument: "--fork")
            let parent = try GitHubNames.parseFullName(sides[1], argument: "--fork")
            guard let planned = repositories.first(where: { $0.matches(parent.owner, parent.name) }), planned.forkOf == nil else {
                throw ForgeError.invalidArgument(argument: argument, reason: "\(sides[1]) is not a --repo, --import or --uninstalled-repo of this forge")
            }
            guard fork.owner.caseInsensitiveCompare(planned.owner) != .orderedSame else {
                throw ForgeError.invalidArgument(argument: argument, reason: "a fork belongs to another account than its parent")
            }
            try add(PlannedRepository(owner: fork.owner, name: fork.name, importPath: nil, installed: false,
                                      forkOf: (planned.owner, planned.name)), argument: argument)
        }
        let people = try PeoplePlan(options, repositories: repositories)
        return Plan(owners: owners, repositories: repositories, people: people)
    }

    private static func build(plan: Plan, options: ForgeInitOptions, in layout: ForgeLayout) async throws -> ForgeMetadata {
        let now = GitHubTime.string(from: Date())
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        try writePrivateKey(key.pemRepresentation, to: layout.privateKeyFile)

        // Accounts: installed owners first, then owners of uninstalled repositories.
        var accounts: [AccountRecord] = []
        func account(_ login: String) -> AccountRecord {
            if let existing = accounts.first(where: { $0.login.caseInsensitiveCompare(login) == .orderedSame }) { return existing }
            let record = AccountRecord(id: 100_001 + accounts.count, login: login, type: "User")
            accounts.append(record)
            return record
        }
        for owner in plan.owners { _ = account(owner) }

        var repositories: [RepositoryRecord] = []
        for planned in plan.repositories {
            let owner = account(planned.owner).login
            let parent = planned.forkOf.flatMap { fork in
                repositories.first {
                    $0.owner.caseInsensitiveCompare(fork.owner) == .orderedSame && $0.name.caseInsensitiveCompare(fork.name) == .orderedSame
                }
            }
            let record = RepositoryRecord(id: 200_000_001 + repositories.count, owner: owner, name: planned.name,
                                          description: nil, createdAt: now, parentID: parent?.id)
            let bare = layout.bareRepository(owner: owner, name: planned.name)
            try FileManager.default.createDirectory(at: bare.deletingLastPathComponent(), withIntermediateDirectories: true)
            if let path = planned.importPath {
                try await GitRunner.check(["clone", "--bare", "--quiet", path, bare.path])
            } else if let parent {
                let source = layout.bareRepository(owner: parent.owner, name: parent.name)
                try await GitRunner.check(["clone", "--bare", "--quiet", "--no-local", source.path, bare.path])
            } else {
                try await createRepository(at: bare, fullName: record.fullName, sample: options.sampleContent, scratch: layout.dataDirectory)
            }
            repositories.append(record)
        }

        var installations: [InstallationRecord] = []
        for owner in plan.owners {
            let login = account(owner).login
            let covered = zip(plan.repositories, repositories)
                .filter { $0.0.installed && $0.1.owner == login }
                .map { $0.1.id }
            installations.append(InstallationRecord(id: 10_000_001 + installations.count, accountLogin: login,
                                                    repositoryIDs: covered, permissions: grantedPermissions, createdAt: now))
        }

        for login in plan.people.logins { _ = account(login) }
        let people = try plan.people.write(repositories: repositories, to: layout)

        let clientSuffix = (0..<8).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        let metadata = ForgeMetadata(
            app: AppRecord(id: options.appID, slug: appSlug, name: appName, clientID: "Iv1.\(clientSuffix)", createdAt: now),
            accounts: accounts, installations: installations, repositories: repositories,
            collaborators: people.collaborators, userTokens: people.userTokens)
        try metadata.save(to: layout)
        try options.webhook?.save(to: layout)
        return metadata
    }

    private static func writePrivateKey(_ pem: String, to url: URL) throws {
        let created = FileManager.default.createFile(atPath: url.path, contents: Data(pem.utf8),
                                                     attributes: [.posixPermissions: 0o600])
        guard created else { throw ForgeError.io("cannot write \(url.path)") }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
    }

    /// A bare repository on `main`, made with real git: one commit with a README, or the
    /// ``SampleContent`` history.
    private static func createRepository(at bare: URL, fullName: String, sample: Bool, scratch: URL) async throws {
        let work = scratch.appendingPathComponent(".work-\(UUID().uuidString.prefix(8))", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: work) }
        try await GitRunner.check(["init", "--quiet", "--initial-branch=main", work.path])
        let commits = sample ? SampleContent.commits(for: fullName) : [
            SampleContent.Commit(message: "Initial commit", files: [("README.md", "# \(fullName)\n\nCreated by `netclode forge init`.\n")]),
        ]
        for commit in commits {
            for file in commit.files {
                let url = work.appendingPathComponent(file.path)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(file.contents.utf8).write(to: url)
            }
            try await GitRunner.check(["-C", work.path, "add", "--all"])
            try await GitRunner.check(["-C", work.path, "commit", "--quiet", "-m", commit.message])
        }
        try await GitRunner.check(["init", "--quiet", "--bare", "--initial-branch=main", bare.path])
        try await GitRunner.check(["-C", work.path, "push", "--quiet", bare.path, "main:main"])
    }
}
