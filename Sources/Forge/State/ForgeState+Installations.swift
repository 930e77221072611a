import Foundation
import Logging

extension ForgeState {
    enum InstallationChangeError: Error {
        case unknownInstallation
        /// A named repository does not exist, or belongs to another account.
        case foreignRepository(String)
    }

    /// Adds repositories to an installation and removes others (as its account's owner does on
    /// GitHub), persists `forge.json`, and returns what actually changed.
    func changeRepositories(ofInstallation id: Int, add: [String], remove: [String]) throws(InstallationChangeError)
        -> (installation: InstallationRecord, added: [RepositoryRecord], removed: [RepositoryRecord]) {
        guard let index = metadata.installations.firstIndex(where: { $0.id == id }) else { throw .unknownInstallation }
        let owner = metadata.installations[index].accountLogin
        func resolve(_ names: [String]) throws(InstallationChangeError) -> [RepositoryRecord] {
            var found: [RepositoryRecord] = []
            for name in names {
                let parts = name.split(separator: "/").map(String.init)
                guard parts.count == 2, let repository = metadata.repository(owner: parts[0], name: parts[1]),
                      repository.owner.caseInsensitiveCompare(owner) == .orderedSame else { throw .foreignRepository(name) }
                found.append(repository)
            }
            return found
        }
        let adding = try resolve(add).filter { !metadata.installations[index].repositoryIDs.contains($0.id) }
        let removing = try resolve(remove).filter { metadata.installations[index].repositoryIDs.contains($0.id) }
        var updated = metadata
        updated.installations[index].repositoryIDs = updated.installations[index].repositoryIDs.filter { id in !removing.contains { $0.id == id } }
            + adding.map(\.id)
        do {
            try updated.save(to: layout)
        } catch {
            throw .foreignRepository("(forge.json could not be written: \(error))")
        }
        metadata = updated
        logger.info("installation repositories changed", metadata: [
            "installation": "\(id)", "added": "\(adding.map(\.fullName))", "removed": "\(removing.map(\.fullName))",
        ])
        return (updated.installations[index], adding, removing)
    }
}
