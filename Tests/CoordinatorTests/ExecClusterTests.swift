import FanoutBuiltinJobs
import FanoutCoordinator
import FanoutProtocol
import FanoutTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Commands on local workers")
struct ExecClusterTests {
    @Test("a command runs on either pool with its slot, and its output, exit and signal come back", arguments: [PoolKind.threads, .processes])
    func runs(pool: PoolKind) async throws {
        try await LocalCluster.with(workers: 1, pool: pool, size: 2) { cluster, _ in
            let echo = try cluster.submit(Exec(["sh", "-c", "echo \"$1\" slot \"$2\"", "sh", "hi", CommandArgument([.slot])]))
            let failing = try cluster.submit(Exec(["echo oops >&2; exit 4"], shell: true))
            let killed = try cluster.submit(Exec(["kill -KILL $$"], shell: true))

            let output = String(decoding: try await echo.value.standardOutput, as: UTF8.self)
            #expect(output == "hi slot 1\n" || output == "hi slot 2\n", "got \(output)")
            let failed = try await failing.value
            #expect(failed.exitStatus == 4 && String(decoding: failed.standardError, as: UTF8.self) == "oops\n")
            #expect(try await killed.value.signal == SIGKILL)
        }
    }

    @Test("a command past its timeout fails, and its whole process group is killed, on either pool", arguments: [PoolKind.threads, .processes])
    func timeoutKillsGroup(pool: PoolKind) async throws {
        let folder = try TemporaryDirectory()
        let fifo = try ProcessProbe.fifo(in: folder)
        try await LocalCluster.with(workers: 1, pool: pool, size: 1) { cluster, _ in
            let job = try cluster.submit(
                Exec([CommandArgument(ProcessProbe.groupOfTwo(writingTo: fifo))], shell: true),
                timeout: .seconds(2)
            )
            // The command writes its pids once both processes run; reading the FIFO waits for that.
            let pids = await ProcessProbe.processIDs(from: fifo)
            try #require(pids.count == 2)
            let error = try await #require(throws: JobError.self) { try await job.value }
            guard case .failed(let failure) = error.reason else {
                Issue.record("expected a timeout, got \(error)")
                return
            }
            #expect(failure.code == .jobTimedOut)
            for pid in pids {
                #expect(await ProcessProbe.dies(pid), "process \(pid) outlived the timeout")
            }
        }
    }

    @Test("the end of stop's grace period kills a running command's whole group", arguments: [PoolKind.threads, .processes])
    func stopKillsGroup(pool: PoolKind) async throws {
        let folder = try TemporaryDirectory()
        let fifo = try ProcessProbe.fifo(in: folder)
        try await LocalCluster.with(workers: 1, pool: pool, size: 1) { cluster, _ in
            let job = try cluster.submit(Exec([CommandArgument(ProcessProbe.groupOfTwo(writingTo: fifo))], shell: true))
            let pids = await ProcessProbe.processIDs(from: fifo)
            try #require(pids.count == 2)
            // Its `started` may still be on its way; a job the cluster does not know to be running is cancelled.
            await job.erased.waitUntilRunning()
            await cluster.stop(grace: .milliseconds(300))
            let error = try await #require(throws: JobError.self) { try await job.value }
            guard case .interrupted = error.reason else {
                Issue.record("expected the job to be interrupted, got \(error)")
                return
            }
            for pid in pids {
                #expect(await ProcessProbe.dies(pid), "process \(pid) outlived the grace period")
            }
        }
    }

    @Test("a worker with an allow-list runs only its executables; the refusal names the flag")
    func allowList() async throws {
        try await LocalCluster.with(workers: 1, workerArguments: ["--allow-exec=/bin/echo"]) { cluster, _ in
            let allowed = try await cluster.submit(Exec(["echo", "fine"])).value
            #expect(String(decoding: allowed.standardOutput, as: UTF8.self) == "fine\n")
            let error = try await #require(throws: JobError.self) { try await cluster.submit(Exec(["true"])).value }
            guard case .failed(let failure) = error.reason else {
                Issue.record("expected a refusal, got \(error)")
                return
            }
            #expect(failure.code == .notAllowed)
            #expect(failure.message.contains("--allow-exec=/bin/echo"))
        }
    }


}
