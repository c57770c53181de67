using System;
using System.Collections.Generic;
using System.Diagnostics;
using Cortex.Realtime;
using NUnit.Framework;

namespace Cortex.Tests.Realtime;

[TestFixture]
public sealed class OnlineTrainerTests
{
    private static Brain Regressor(ulong seed, int threads = 1) =>
        Brain.Create(2).Dense(16, Activation.Tanh).Dense(1, Activation.Linear)
            .Optimizer(Optimizer.Adam(0.01f)).MaxBatch(32).Threads(threads).Build(seed);

    private static void Feed(OnlineTrainer trainer, int count, ulong seed)
    {
        var random = new SeededRandom(seed);
        Span<float> x = stackalloc float[2], y = stackalloc float[1];
        for (int i = 0; i < count; i++)
        {
            x[0] = random.NextFloat(-1, 1);
            x[1] = random.NextFloat(-1, 1);
            y[0] = x[0] * x[1];
            trainer.AddSample(x, y);
        }
    }

    // Every reading of the clock advances it by a fixed amount: one "update" costs that much.
    private static Func<long> FakeClock(double microsecondsPerReading)
    {
        long now = 0, step = (long)(microsecondsPerReading * Stopwatch.Frequency / 1e6);
        return () => now += step;
    }

    [Test]
    public void ABudgetInUpdatesRunsExactlyThatManyOnceEnoughSamplesAreIn()
    {
        using Brain brain = Regressor(1);
        var trainer = new OnlineTrainer(brain, capacity: 256, batchSize: 16, TrainingBudget.Updates(3), seed: 2);
        Feed(trainer, 15, seed: 3);
        Assert.That(trainer.Tick().Updates, Is.EqualTo(0), "fewer samples than one batch");
        Feed(trainer, 1, seed: 4);
        TrainingTickReport report = trainer.Tick();
        Assert.That(report.Updates, Is.EqualTo(3));
        Assert.That(report.Overran, Is.False);
        Assert.That(float.IsFinite(report.MeanLoss), Is.True);
        Assert.That(brain.Steps, Is.EqualTo(3));
        trainer.Budget = TrainingBudget.None;
        Assert.That(trainer.Tick().Updates, Is.EqualTo(0));
        Assert.That(trainer.Stats.Ticks, Is.EqualTo(3));
        Assert.That(trainer.Stats.Updates, Is.EqualTo(3));
    }

    [Test]
    public void ATimeBudgetStopsBeforeTheNextUpdateWouldNotFit()
    {
        using Brain brain = Regressor(5);
        var trainer = new OnlineTrainer(brain, 256, 16, TrainingBudget.Microseconds(350), seed: 6) { Clock = FakeClock(100) };
        Feed(trainer, 64, seed: 7);
        TrainingTickReport report = trainer.Tick();
        Assert.That(report.Updates, Is.EqualTo(3), "100 µs each: a fourth would end at 400 µs > 350 µs");
        Assert.That(report.Microseconds, Is.EqualTo(300).Within(0.01));
        Assert.That(report.Overran, Is.False);
        Assert.That(report.OverrunMicroseconds, Is.EqualTo(0));
    }

    [Test]
    public void OneStalledUpdateDoesNotStarveTheNextTicks()
    {
        using Brain brain = Regressor(14);
        // Updates cost 100 µs; the 14th reading of the clock (the end of the second tick's second update)
        // comes 5 ms late: the thread was preempted.
        long now = 0, readings = 0, normal = (long)(100 * Stopwatch.Frequency / 1e6), stall = (long)(5000 * Stopwatch.Frequency / 1e6);
        var trainer = new OnlineTrainer(brain, 256, 16, TrainingBudget.Microseconds(1000), seed: 15)
        {
            Clock = () => now += ++readings == 14 ? stall : normal,
        };
        Feed(trainer, 64, seed: 16);
        TrainingTickReport first = trainer.Tick();
        Assert.That(first.Updates, Is.EqualTo(10), "100 µs each, exactly: ten fill the budget");
        TrainingTickReport stalled = trainer.Tick();
        Assert.That(stalled.Overran, Is.True);
        TrainingTickReport after = trainer.Tick();
        Assert.That(after.Updates, Is.GreaterThanOrEqualTo(7), "the stall must not be taken for the update's cost");
        Assert.That(after.Overran, Is.False);
    }

    [Test]
    public void AnUpdateLongerThanTheBudgetRunsOnceAndCountsAsAnOverrun()
    {
        using Brain brain = Regressor(8);
        var trainer = new OnlineTrainer(brain, 256, 16, TrainingBudget.UpdatesWithin(10, 350), seed: 9) { Clock = FakeClock(500) };
        Feed(trainer, 64, seed: 10);
        for (int i = 0; i < 4; i++)
        {
            TrainingTickReport report = trainer.Tick();
            Assert.That(report.Updates, Is.EqualTo(1));
            Assert.That(report.Overran, Is.True);
            Assert.That(report.OverrunMicroseconds, Is.EqualTo(150).Within(0.01));
        }
        TrainingStats stats = trainer.Stats;
        Assert.That(stats.Overruns, Is.EqualTo(4));
        Assert.That(stats.TotalMicroseconds, Is.EqualTo(2000).Within(0.1));
        Assert.That(stats.MaxTickMicroseconds, Is.EqualTo(500).Within(0.01));
    }

    [Test]
    public void WithTheRealClockTheReportIsConsistentWithTheBudget()
    {
        using Brain brain = Regressor(11);
        var trainer = new OnlineTrainer(brain, 256, 16, TrainingBudget.UpdatesWithin(50, 200), seed: 12);
        Feed(trainer, 64, seed: 13);
        long overruns = 0;
        for (int i = 0; i < 20; i++)
        {
            TrainingTickReport report = trainer.Tick();
            Assert.That(report.Updates, Is.InRange(1, 50));
            Assert.That(report.Overran, Is.EqualTo(report.Microseconds > 200));
            if (report.Overran) overruns++;
        }
        Assert.That(trainer.Stats.Overruns, Is.EqualTo(overruns));
    }

    [Test]
    public void NonFiniteSamplesAndUpdatesAreRejectedAndReported()
    {
        using Brain brain = Brain.Create(2).Dense(1, Activation.Linear).Optimizer(Optimizer.GradientDescent(0.1f)).MaxBatch(4).Build(14);
        var trainer = new OnlineTrainer(brain, capacity: 4, batchSize: 4, TrainingBudget.Updates(1), seed: 15);
        var events = new List<TrainingRejection>();
        trainer.Rejected += events.Add;

        Assert.That(trainer.AddSample(new[] { float.NaN, 1f }, new[] { 1f }), Is.False);
        Assert.That(trainer.Stats.RejectedSamples, Is.EqualTo(1));
        // Finite samples whose squared error overflows a float: the loss is infinite and the step is rejected.
        for (int i = 0; i < 4; i++) Assert.That(trainer.AddSample(new[] { 1f, 1f }, new[] { 3e38f }), Is.True);
        float[] before = new float[brain.ParameterCount], after = new float[brain.ParameterCount];
        brain.CopyParametersTo(before);
        TrainingTickReport report = trainer.Tick();
        brain.CopyParametersTo(after);

        Assert.That(report.Updates, Is.EqualTo(0));
        Assert.That(report.RejectedUpdates, Is.EqualTo(1));
        Assert.That(after, Is.EqualTo(before), "the weights stay the last good ones");
        Assert.That(brain.RejectedSteps, Is.EqualTo(1));
        Assert.That(trainer.Stats.RejectedUpdates, Is.EqualTo(1));
        Assert.That(events, Is.EqualTo(new[] { TrainingRejection.Sample, TrainingRejection.Update }));
    }

    [Test]
    public void LearnsOnlineAndTicksAllocateNothing()
    {
        using Brain brain = Regressor(16);
        var trainer = new OnlineTrainer(brain, capacity: 512, batchSize: 32, TrainingBudget.Updates(2), seed: 17);
        var random = new SeededRandom(18);
        float[] x = new float[2], y = new float[1];
        void Tick()
        {
            x[0] = random.NextFloat(-1, 1);
            x[1] = random.NextFloat(-1, 1);
            y[0] = x[0] * x[1];
            trainer.AddSample(x, y);
            trainer.Tick();
        }
        for (int i = 0; i < 50; i++) Tick();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 2000; i++) Tick();
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.EqualTo(0));
        Assert.That(trainer.LastTick.MeanLoss, Is.LessThan(0.01f), "x·y on [-1, 1]² is learnable");
    }

    [Test]
    public void BadArgumentsThrow()
    {
        using Brain brain = Regressor(19);
        Assert.That(() => new OnlineTrainer(brain, 16, 33, TrainingBudget.Updates(1), 1), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("batchSize"));
        Assert.That(() => new OnlineTrainer(brain, 16, 8, TrainingBudget.Updates(1), 1, minSamples: 17), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("minSamples"));
        Assert.That(() => new OnlineTrainer(null!, 16, 8, TrainingBudget.Updates(1), 1), Throws.ArgumentNullException);
        Assert.That(() => TrainingBudget.Microseconds(0), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => new TrainingBudget(-1, 0), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => new TrainingBudget(1, double.NaN), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }
}
