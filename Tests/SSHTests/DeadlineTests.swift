import Foundation
import SSH
import Testing

@Suite("Deadline")
struct DeadlineTests {
    @Test func aDeadlinePassesAfterItsTimeAndNotBefore() {
        let deadline = Deadline.after(seconds: 0.2)
        #expect(!deadline.hasPassed)
        #expect(deadline.remainingSeconds > 0.1 && deadline.remainingSeconds <= 0.2)
        usleep(250_000)
        #expect(deadline.hasPassed)
        #expect(deadline.remainingSeconds == 0)
    }

    @Test func zeroOrNegativeTimesAreAlreadyPassedAndDurationsMatchSeconds() {
        #expect(Deadline.after(seconds: 0).hasPassed)
        #expect(Deadline.after(seconds: -5).hasPassed)
        #expect(!Deadline.distantFuture.hasPassed)
        let fromDuration = Deadline.after(.milliseconds(1500))
        #expect(abs(fromDuration.remainingSeconds - 1.5) < 0.05)
        let sooner = Deadline.after(seconds: 1)
        #expect(sooner.earlier(fromDuration) == sooner)
        #expect(fromDuration.earlier(sooner) == sooner)
    }
}
