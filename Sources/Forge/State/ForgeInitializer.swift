import Foundation
import _CryptoExtras

/// What `netclode forge init` was asked to create.
public struct ForgeInitOptions: Sendable {
    public var dataDirectory: URL
    public var appID: Int
    public var owners: [String]
    /// `OWNER/NAME`, created with an initial commit on `main`.
    public var repositories: [String]
    /// `OWNER/NAME=PATH`, cloned bare from a local repository.
    public var imports: [String]
    /// `OWNER/NAME`, on disk but covered by no installation.
    public var uninstalledRepositories: [String]
    /// Created repositories get a few commits of sample files instead of a single README.
    public var sampleContent: Bool

    public init(dataDirectory: URL, appID: Int = 4242, owners: [String] = [], repositories: [String] = [],
                imports: [String] = [], uninstalledRepositories: [String] = [], sampleContent: Bool = false) {
        self.dataDirectory = dataDirectory
        self.appID = appID
        self.owners = owners
        self.repositories = repositories
        self.imports = imports
        self.uninstalledRepositories = uninstalledRepositories
        self.sampleContent = sampleContent
    }
}

/// What `forge init` made; rendered as text or `--json` by the CLI.
public struct ForgeInitResult: Sendable {
    public var metadata: ForgeMetadata
    public var privateKeyPath: String

    public struct InstallationSummary: Sendable, Equatable {
        public var id: Int
        public var account: String
        public var repositories: [String]
    }

    public var installations: [InstallationSummary] {
        metadata.installations.map { installation in
            InstallationSummary(id: installation.id, account: installation.accountLogin,
                                repositories: metadata.repositories(of: installation).map(\.fullName))
        }
    }

    public var uninstalledRepositories: [String] {
        metadata.repositories.filter { metadata.installation(covering: $0) == nil }.map(\.fullName)
    }

    /// The `--json` document.
    public var json: JSONValue {
        [
            "appId": .int(metadata.app.id),
            "appSlug": .string(metadata.app.slug),
            "clientId": .string(metadata.app.clientID),
            "privateKeyPath": .string(privateKeyPath),
            "installations": .array(installations.map {
                ["id": .int($0.id), "account": .string($0.account), "repos": .array($0.repositories.map(JSONValue.string))]
            }),
            "uninstalledRepos": .array(uninstalledRepositories.map(JSONValue.string)),
        ]
    }
}

/// Creates a forge data directory: App + key, installations, bare repositories.
///
/// Everything is built in a sibling temporary directory and renamed into place at the end, so a
/// bad argument or a failing git leaves nothing half-made behind.
public enum ForgeInitializer {
    /// The permissions every installation is granted.
    public static let grantedPermissions = ["contents": "write", "metadata": "read", "issues": "write"]
    public static let appSlug = "netclode-forge"
    public static let appName = "Netclode Forge"

    private struct PlannedRepository {
        var owner: String
        var name: String
        var importPath: String?
        var installed: Bool
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
            return ForgeInitResult(metadata: metadata, privateKeyPath: ForgeLayout(dataDirectory: target).privateKeyFile.path)
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
    private static func makePlan(_ options: ForgeInitOptions) throws -> (owners: [String], repositories: [PlannedRepository]) {
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
            if repositories.contains(where: {
                $0.owner.caseInsensitiveCompare(repository.owner) == .orderedSame
                    && $0.name.caseInsensitiveCompare(repository.name) == .orderedSame
            }) {
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
        return (owners, repositories)
    }

    private static func build(plan: (owners: [String], repositories: [PlannedRepository]), options: ForgeInitOptions,
                              in layout: ForgeLayout) async throws -> ForgeMetadata {
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
            let record = RepositoryRecord(id: 200_000_001 + repositories.count, owner: owner, name: planned.name,
                                          description: nil, createdAt: now)
            let bare = layout.bareRepository(owner: owner, name: planned.name)
            try FileManager.default.createDirectory(at: bare.deletingLastPathComponent(), withIntermediateDirectories: true)
            if let path = planned.importPath {
                try await GitRunner.check(["clone", "--bare", "--quiet", path, bare.path])
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

        let clientSuffix = (0..<8).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        let metadata = ForgeMetadata(
            app: AppRecord(id: options.appID, slug: appSlug, name: appName, clientID: "Iv1.\(clientSuffix)", createdAt: now),
            accounts: accounts, installations: installations, repositories: repositories)
        try metadata.save(to: layout)
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

extension ForgeInitOptions {
    /// The demo forge `netclode forge` (and later `netclode dev`) seeds on first run: one
    /// installation for `netclode-demo` with two repositories, a second for `other-org`, and
    /// `outsider/secret`, a repository no installation covers, so the multi-owner scoping and the
    /// troubleshooting errors can be tried by hand.
    public static func demo(dataDirectory: URL) -> ForgeInitOptions {
        ForgeInitOptions(
            dataDirectory: dataDirectory,
            repositories: ["netclode-demo/hello", "netclode-demo/widgets", "other-org/tools"],
            uninstalledRepositories: ["outsider/secret"],
            sampleContent: true
        )
    }
}
