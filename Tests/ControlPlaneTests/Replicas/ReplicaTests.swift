import ConnectRPC
import Foundation
import NetclodeClient
import NetclodeProto
import SwiftProtobuf
import Synchronization
import Testing
import TestSupport

/// Several `netclode serve` replicas on one PostgreSQL: every call works on every replica, one
/// replica runs each session (its lease), and when it is killed another takes the session over.
@Suite("Control-plane replicas on PostgreSQL", .serialized,
       .enabled(if: PostgresServer.isAvailable, "PostgreSQL is not installed (apt-get install postgresql)"))
struct ReplicaTests {
    static func push(_ api: SessionClient, _ id: String, _ message: String) async throws -> Netclode_V1_ExecResponse {
        try await api.exec(.with {
            $0.sessionID = id
            $0.command = ["sh", "-c", "git commit -q --allow-empty -m '\(message)' && git push origin HEAD:main"]
        })
    }

    /// The session's whole history as a fresh watch reads it from the database.
    static func history(_ api: SessionClient, _ id: String) async throws -> [String] {
        let items = try await api.watch(id, timeout: .seconds(60)) { items in items.contains { $0.hasSession } }
        return items.filter { !$0.cursor.isEmpty }.map(\.cursor)
    }

    @Test("create on A, watch on B, exec and access change on C: B sees C's change live, git obeys it, every token revoked once")
    func everyCallOnEveryReplica() async throws {
        try await ReplicaCluster.with(replicas: 3, leaseSeconds: ReplicaCluster.steadyLeaseSeconds) { cluster in
            let (a, b, c) = (cluster.api(0), cluster.api(1), cluster.api(2))
            let created = try await a.create(.with {
                $0.name = "replicated"
                $0.repos = ["demo/hello"]
            }).session
            #expect(try await cluster.holder(of: created.id) == cluster.replicas[0].baseURL.absoluteString, "the creating replica holds the lease")
            do {
                try await c.waitFor(created.id, status: ["ready"], timeout: .seconds(120))
            } catch {
                Issue.record("not ready: \(error)\n\(cluster.logs())")
                throw error
            }
            #expect(try await b.get(created.id).session.status == "ready")
            let readiness = try await cluster.get("/readyz", on: 0)
            #expect(readiness.contains("\"leaseSeconds\":\(cluster.leaseSeconds)") && readiness.contains("\"sessionsHeld\":1")
                    && readiness.contains("\"url\":\"\(cluster.replicas[0].baseURL.absoluteString)\""), "\(readiness)")
            #expect(try await cluster.get("/readyz", on: 1).contains("\"sessionsHeld\":0"))
            #expect(try await b.list().sessions.map(\.id).contains(created.id), "B lists a session A runs")

            // A watch on B, open (its read snapshot received) before the change, sees it live.
            let sawRead = Mutex(false)
            let watching = Task {
                try await b.watch(created.id, timeout: .seconds(120)) { items in
                    if items.last.map({ $0.hasSession && $0.session.repoAccess == "read" }) == true { sawRead.withLock { $0 = true } }
                    return items.contains { $0.hasSession && $0.session.repoAccess == "write" }
                }
            }
            let opened = ContinuousClock.now
            while !sawRead.withLock({ $0 }), ContinuousClock.now - opened < .seconds(120) {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(sawRead.withLock { $0 }, "B's watch began at read")
            let refused = try await Self.push(c, created.id, "read-only, through C")
            #expect(refused.exitCode != 0 && refused.stderr.contains("denied"), "exec on C ran on A's sandbox: \(refused.stderr)")
            let changed = try await c.updateRepoAccess(created.id, "write")
            #expect(changed.applied && changed.repoAccess == "write")
            _ = try await watching.value
            let allowed = try await Self.push(c, created.id, "write, through C")
            #expect(allowed.exitCode == 0, "git on A's sandbox pushes after the change made on C: \(allowed.stderr)")
            #expect(try await a.get(created.id).session.repoAccess == "write")

            // Watchers on every replica read the same history.
            let histories = try await [a, b, c].asyncMap { try await Self.history($0, created.id) }
            #expect(histories[0] == histories[1] && histories[1] == histories[2] && !histories[0].isEmpty)
            #expect(Set(histories[0]).count == histories[0].count, "no duplicate cursor")

            _ = try await b.delete(created.id)
            #expect(try await a.get(created.id).session.status == "deleted")
            #expect(try await cluster.holder(of: created.id) == nil, "a deleted session's lease is let go")
            #expect(try await cluster.get("/readyz", on: 0).contains("\"sessionsHeld\":0"))
            let stats = try await cluster.forge.stats()
            #expect(stats.mints == 2, "one token at create, one at the access change: \(stats)")
            #expect(stats.revocations == stats.mints, "each minted token revoked exactly once: \(stats)")
            let metrics = try await cluster.get("/metrics", on: 2)
            #expect(metrics.contains("netclode_replica_forwarded_calls_total{rpc=\"netclode.v1.SessionService/UpdateRepoAccess\"} 1"), "\(metrics)")
        }
    }

    @Test("kill -9 the replica running a session mid-clone: another takes it over within the lease, with fresh tokens and its workspace; watchers elsewhere see no gap and no duplicate")
    func failover() async throws {
        try await ReplicaCluster.with(replicas: 3, leaseSeconds: ReplicaCluster.failoverLeaseSeconds) { cluster in
            let (a, b, c) = (cluster.api(0), cluster.api(1), cluster.api(2))
            let created = try await a.create(.with {
                $0.name = "failover"
                $0.repos = ["demo/hello", "demo/widgets"]
                $0.repoAccess = "write"
            }).session
            // A watcher on C, following the session across whatever happens, until the two
            // access changes made after the failover.
            let followed = Task {
                var items: [Netclode_V1_WatchSessionResponse] = []
                for try await item in c.follow(created.id) {
                    items.append(item)
                    if items.filter({ $0.hasEvent && $0.event.kind == "repo_access" }).count >= 2 { break }
                }
                return items
            }
            // A watcher on A, which dies with it, then resumes on B from its last cursor.
            let onDeadReplica = Task {
                var items: [Netclode_V1_WatchSessionResponse] = []
                do {
                    for try await item in a.watch(created.id) { items.append(item) }
                } catch {}
                return items
            }
            // Mid-clone: as soon as a clone has started on A.
            _ = try await b.watch(created.id, timeout: .seconds(120)) { items in items.contains { $0.event.kind == "repo_clone" && $0.event.stage == "starting" } }
            let mintsBeforeKill = try await cluster.forge.stats().mints
            let killed = ContinuousClock.now
            cluster.replicas[0].kill()

            // Another replica takes the session over and gives it a sandbox again.
            var newHolder: String?
            while ContinuousClock.now - killed < .seconds(120) {
                if let holder = try await cluster.holder(of: created.id), holder != cluster.replicas[0].baseURL.absoluteString {
                    newHolder = holder
                    break
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            let heldAfter = ContinuousClock.now - killed
            let holder = try #require(newHolder, "no replica took the session over\n\(cluster.logs())")
            #expect(cluster.index(ofURL: holder) != nil)
            var working: Netclode_V1_ExecResponse?
            while ContinuousClock.now - killed < .seconds(180) {
                working = try? await b.exec(.with {
                    $0.sessionID = created.id
                    $0.command = ["sh", "-c", "ls -d demo__hello/.git demo__widgets/.git && git -C demo__hello fetch -q origin"]
                })
                if working?.exitCode == 0 { break }
                try await Task.sleep(for: .milliseconds(250))
            }
            let usableAfter = ContinuousClock.now - killed
            #expect(working?.exitCode == 0, "the session works again: \(working?.stderr ?? "no answer")\n\(cluster.logs())")
            print("replica failover: lease taken \(heldAfter.formatted(.units(allowed: [.milliseconds]))) after kill -9, session usable after \(usableAfter.formatted(.units(allowed: [.milliseconds]))) (lease \(cluster.leaseSeconds) s)")

            // Fresh tokens: the new holder minted its own, and a write push works.
            #expect(try await cluster.forge.stats().mints > mintsBeforeKill)
            let pushed = try await c.exec(.with {
                $0.sessionID = created.id
                $0.command = ["sh", "-c", "cd demo__hello && git commit -q --allow-empty -m 'after failover' && git push -q origin HEAD:main && echo after failover"]
            })
            #expect(pushed.exitCode == 0, "\(pushed.stderr)")
            // An event after the failover, for the follower to stop at.
            _ = try await c.updateRepoAccess(created.id, "read")
            _ = try await c.updateRepoAccess(created.id, "write")

            let items = try await withThrowingTaskGroup(of: [Netclode_V1_WatchSessionResponse]?.self) { group in
                group.addTask { try await followed.value }
                group.addTask {
                    try await Task.sleep(for: .seconds(120))
                    return nil
                }
                let first = try await group.next() ?? nil
                group.cancelAll()
                followed.cancel()
                return first
            }
            let history = try await Self.history(b, created.id)
            let beforeDeath = await onDeadReplica.value.filter { !$0.cursor.isEmpty }
            let resumed = try await b.watch(created.id, afterCursor: beforeDeath.last?.cursor ?? "", timeout: .seconds(60)) { items in
                items.filter { $0.hasEvent && $0.event.kind == "repo_access" }.count >= 2
            }
            let rejoined = beforeDeath.map(\.cursor) + resumed.filter { !$0.cursor.isEmpty }.map(\.cursor)
            #expect(Array(history.prefix(rejoined.count)) == rejoined && rejoined.count == Set(rejoined).count,
                    "a watcher of the killed replica resumes on another from its cursor with no gap and no duplicate")
            #expect(items != nil, "the follower on C saw the changes made after the failover")
            if let items {
                let cursors = items.filter { !$0.cursor.isEmpty }.map(\.cursor)
                #expect(Set(cursors).count == cursors.count, "no duplicate across the failover")
                #expect(Array(history.prefix(cursors.count)) == cursors, "the follower's events are the database's, in order, with no gap")
            }
            let stats = try await cluster.forge.stats()
            _ = try await c.delete(created.id)
            let after = try await cluster.forge.stats()
            // The killed replica's tokens die with their hour; every other one is revoked once.
            #expect(after.revocations >= after.mints - mintsBeforeKill, "\(stats) → \(after)")
            #expect(after.revocations <= after.mints)
        }
    }

    @Test("kill -9 the holder mid access-change, then stop the next one gracefully: the access level the API shows is what git can do, and a stopped replica's sessions move at once")
    func failoverMidAccessChangeThenRollingStop() async throws {
        try await ReplicaCluster.with(replicas: 3, leaseSeconds: ReplicaCluster.failoverLeaseSeconds) { cluster in
            let (a, b, c) = (cluster.api(0), cluster.api(1), cluster.api(2))
            let created = try await a.create(.with {
                $0.name = "mid-change"
                $0.repos = ["demo/hello"]
            }).session
            try await b.waitFor(created.id, status: ["ready"], timeout: .seconds(120))
            // The change's mint hangs at the forge, so the kill lands inside it.
            try await cluster.forge.injectFault(status: nil, count: 1, delayMs: 30_000, pathPrefix: "/app/installations")
            let change = Task { try await b.updateRepoAccess(created.id, "write") }
            let deadline = ContinuousClock.now + .seconds(60)
            while try await cluster.forge.stats().faultsInjected == 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            cluster.replicas[0].kill()
            let outcome = await change.result
            #expect((try? outcome.get()) == nil, "the change did not complete on the killed replica")

            // Once another replica runs the session, what the API says is what git does.
            var probe: Netclode_V1_ExecResponse?
            let killed = ContinuousClock.now
            while ContinuousClock.now - killed < .seconds(180) {
                probe = try? await Self.push(c, created.id, "after the kill")
                if let probe, probe.exitCode == 0 || probe.stderr.contains("denied") { break }
                try await Task.sleep(for: .milliseconds(250))
            }
            let access = try await c.get(created.id).session.repoAccess
            let pushed = try #require(probe, "the session never answered again\n\(cluster.logs())")
            #expect((pushed.exitCode == 0) == (access == "write"), "API says \(access); git push: exit \(pushed.exitCode) \(pushed.stderr)")
            let changed = try await c.updateRepoAccess(created.id, "write")
            #expect(changed.applied)
            #expect(try await Self.push(c, created.id, "write after the failover").exitCode == 0)

            // A rolling update: the holder stops gracefully and lets go; the last replica takes
            // the session at its next tick, well before a lease would lapse.
            let holderURL = try #require(try await cluster.holder(of: created.id))
            let holder = try #require(cluster.index(ofURL: holderURL))
            let other = [1, 2].first { $0 != holder }!
            let stopped = ContinuousClock.now
            await cluster.replicas[holder].stop()
            var movedTo: String?
            while ContinuousClock.now - stopped < .seconds(60) {
                if let now = try await cluster.holder(of: created.id), now != holderURL {
                    movedTo = now
                    break
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            let moved = ContinuousClock.now - stopped
            #expect(movedTo == cluster.replicas[other].baseURL.absoluteString, "\(cluster.logs())")
            let survivor = cluster.api(other)
            var fetched: Netclode_V1_ExecResponse?
            while ContinuousClock.now - stopped < .seconds(120) {
                fetched = try? await survivor.exec(.with {
                    $0.sessionID = created.id
                    $0.command = ["git", "fetch", "-q", "origin"]
                })
                if fetched?.exitCode == 0 { break }
                try await Task.sleep(for: .milliseconds(250))
            }
            print("replica rolling stop: lease moved \(moved.formatted(.units(allowed: [.milliseconds]))) after SIGTERM, session usable after \((ContinuousClock.now - stopped).formatted(.units(allowed: [.milliseconds])))")
            #expect(fetched?.exitCode == 0, "\(fetched?.stderr ?? "no answer")")
            #expect(try await survivor.get(created.id).session.repoAccess == "write")
        }
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
