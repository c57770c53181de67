using System;
using System.Collections.Generic;
using Cortex.Realtime;
using NUnit.Framework;

namespace Cortex.Tests.Realtime;

[TestFixture]
public sealed class FixedStepLoopTests
{
    private sealed class Recorder : IFixedStep
    {
        public readonly List<long> Ticks = new();
        public readonly List<int> IndexInFrame = new();

        public void FixedStep(in FixedTime time)
        {
            Ticks.Add(time.Tick);
            IndexInFrame.Add(time.IndexInFrame);
        }
    }

    private sealed class Counter : IFixedStep
    {
        public long Steps;
        public double Seconds;

        public void FixedStep(in FixedTime time)
        {
            Steps++;
            Seconds += time.StepSeconds;
        }
    }

    private struct StructCounter : IFixedStep
    {
        public long Steps;
        public long LastTick;

        public void FixedStep(in FixedTime time)
        {
            Steps++;
            LastTick = time.Tick;
        }
    }

    private sealed class Thrower : IFixedStep
    {
        public int Calls;

        public void FixedStep(in FixedTime time)
        {
            if (++Calls == 2) throw new InvalidOperationException("boom");
        }
    }

    [Test]
    public void AFrameOfExactlyOneStepRunsExactlyOneStepForever()
    {
        // Naive float accumulation (acc += dt; while (acc >= dt)) famously loses or gains steps here.
        var loop = new FixedStepLoop(1.0 / 60.0);
        int wrongFrames = 0;
        for (int frame = 0; frame < 1_000_000; frame++) if (loop.Advance(1.0 / 60.0) != 1) wrongFrames++;
        Assert.That(wrongFrames, Is.EqualTo(0));
        Assert.That(loop.Tick, Is.EqualTo(1_000_000));
        Assert.That(loop.AccumulatedNanoseconds, Is.EqualTo(0));
        Assert.That(loop.Alpha, Is.EqualTo(0.0));
        Assert.That(loop.StepNanoseconds, Is.EqualTo(16_666_667));
    }

    [Test]
    public void StepCountsForASequenceOfFrameTimesAreDeterministicAndExact()
    {
        double[] frames = new double[100_000];
        var random = new SeededRandom(5);
        for (int i = 0; i < frames.Length; i++) frames[i] = random.NextDouble() * 0.05;

        int[] first = Run(frames), second = Run(frames);
        Assert.That(second, Is.EqualTo(first));

        // The integer-nanosecond reference: steps so far = floor(Σ round(frame·1e9) / step) while no cap is hit.
        long step = (long)Math.Round(1e9 / 60.0), sum = 0, stepsSoFar = 0;
        for (int i = 0; i < frames.Length; i++)
        {
            sum += (long)Math.Round(frames[i] * 1e9);
            long due = sum / step - stepsSoFar;
            Assert.That(first[i], Is.EqualTo(due), $"frame {i}");
            stepsSoFar += due;
        }

        static int[] Run(double[] frames)
        {
            var loop = new FixedStepLoop(1.0 / 60.0, maxStepsPerFrame: 8);
            int[] steps = new int[frames.Length];
            for (int i = 0; i < frames.Length; i++) steps[i] = loop.Advance(frames[i]);
            Assert.That(loop.DroppedNanoseconds, Is.EqualTo(0), "frames of at most 50 ms never hit a cap of 8 steps");
            return steps;
        }
    }

    [Test]
    public void CatchUpIsCappedAndTheDroppedTimeIsReported()
    {
        var loop = new FixedStepLoop(0.010, maxStepsPerFrame: 3);
        var counter = new Counter();

        Assert.That(loop.Advance(0.105, counter), Is.EqualTo(3));
        Assert.That(loop.LastFrameSteps, Is.EqualTo(3));
        Assert.That(loop.LastFrameDroppedNanoseconds, Is.EqualTo(70_000_000));
        Assert.That(loop.DroppedSeconds, Is.EqualTo(0.070).Within(1e-12));
        Assert.That(loop.CappedFrames, Is.EqualTo(1));
        Assert.That(loop.Alpha, Is.EqualTo(0.5).Within(1e-12), "the sub-step remainder is kept for interpolation");

        Assert.That(loop.Advance(0.005, counter), Is.EqualTo(1));
        Assert.That(loop.LastFrameDroppedNanoseconds, Is.EqualTo(0));
        Assert.That(loop.DroppedNanoseconds, Is.EqualTo(70_000_000));
        Assert.That(counter.Steps, Is.EqualTo(4));
        Assert.That(loop.Tick, Is.EqualTo(4));
        Assert.That(loop.SimulatedSeconds, Is.EqualTo(0.040).Within(1e-12));
    }

    [Test]
    public void AHugeFrameIsClampedNotOverflowed()
    {
        var loop = new FixedStepLoop(0.02, maxStepsPerFrame: 2);
        Assert.That(loop.Advance(1e300), Is.EqualTo(2));
        Assert.That(loop.AccumulatedNanoseconds, Is.InRange(0, loop.StepNanoseconds - 1));
        Assert.That(loop.DroppedNanoseconds, Is.GreaterThan(0));
    }

    [Test]
    public void AlphaIsTheFractionOfAStepNotYetSimulated()
    {
        var loop = new FixedStepLoop(0.020);
        loop.Advance(0.005);
        Assert.That(loop.Alpha, Is.EqualTo(0.25).Within(1e-12));
        loop.Advance(0.010);
        Assert.That(loop.Alpha, Is.EqualTo(0.75).Within(1e-12));
        Assert.That(loop.Advance(0.010), Is.EqualTo(1));
        Assert.That(loop.Alpha, Is.EqualTo(0.25).Within(1e-12));
    }

    [Test]
    public void PauseStopsSimulatedTimeAndResumeContinuesWithoutCatchingUp()
    {
        var loop = new FixedStepLoop(0.010);
        loop.Advance(0.015);
        Assert.That(loop.Tick, Is.EqualTo(1));
        loop.Pause();
        Assert.That(loop.IsPaused, Is.True);
        for (int i = 0; i < 10; i++) Assert.That(loop.Advance(0.010), Is.EqualTo(0));
        Assert.That(loop.Tick, Is.EqualTo(1));
        Assert.That(loop.Alpha, Is.EqualTo(0.5).Within(1e-12), "alpha holds still while paused");
        Assert.That(loop.Frames, Is.EqualTo(11));

        var counter = new Counter();
        loop.StepOnce(counter);
        Assert.That(counter.Steps, Is.EqualTo(1), "single-stepping works while paused");
        Assert.That(loop.Tick, Is.EqualTo(2));

        loop.Resume();
        Assert.That(loop.Advance(0.005), Is.EqualTo(1));
        Assert.That(loop.Tick, Is.EqualTo(3));
    }

    [Test]
    public void TimeScaleSlowsAndFreezesSimulatedTime()
    {
        var loop = new FixedStepLoop(0.010) { TimeScale = 0.5 };
        int steps = 0;
        for (int i = 0; i < 100; i++) steps += loop.Advance(0.010);
        Assert.That(steps, Is.EqualTo(50));

        loop.TimeScale = 0;
        for (int i = 0; i < 100; i++) steps += loop.Advance(0.010);
        Assert.That(steps, Is.EqualTo(50));

        loop.TimeScale = 2;
        Assert.That(loop.Advance(0.010), Is.EqualTo(2));
    }

    [Test]
    public void StepsGetConsecutiveTicksAndTheirIndexWithinTheFrame()
    {
        var loop = new FixedStepLoop(0.010, maxStepsPerFrame: 10);
        var recorder = new Recorder();
        loop.Advance(0.035, recorder);
        loop.Advance(0.020, recorder);
        Assert.That(recorder.Ticks, Is.EqualTo(new long[] { 0, 1, 2, 3, 4 }));
        Assert.That(recorder.IndexInFrame, Is.EqualTo(new[] { 0, 1, 2, 0, 1 }));
    }

    [Test]
    public void AStructStepPassedByReferenceKeepsItsState()
    {
        var loop = new FixedStepLoop(0.010);
        var step = new StructCounter();
        loop.Advance(0.030, ref step);
        loop.Advance(0.010, ref step);
        Assert.That(step.Steps, Is.EqualTo(4));
        Assert.That(step.LastTick, Is.EqualTo(3));
    }

    [Test]
    public void AnExceptionInAStepLeavesTheCountersConsistent()
    {
        var loop = new FixedStepLoop(0.010, maxStepsPerFrame: 5);
        var thrower = new Thrower();
        Assert.Throws<InvalidOperationException>(() => loop.Advance(0.030, thrower));
        Assert.That(loop.Tick, Is.EqualTo(2), "the step that threw counts as run");
        Assert.That(loop.AccumulatedNanoseconds, Is.EqualTo(10_000_000), "the third step is still due");
        Assert.That(loop.Advance(0.0, thrower), Is.EqualTo(1));
        Assert.That(loop.Tick, Is.EqualTo(3));
    }

    [Test]
    public void AdvancingAllocatesNothing()
    {
        var loop = new FixedStepLoop(1.0 / 60.0);
        var counter = new Counter();
        var step = new StructCounter();
        for (int i = 0; i < 100; i++)
        {
            loop.Advance(0.016, counter);
            loop.Advance(0.016, ref step);
            loop.Advance(0.016);
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            loop.Advance(0.016, counter);
            loop.Advance(0.016, ref step);
            loop.Advance(0.016);
            _ = loop.Alpha;
        }
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.EqualTo(0));
        Assert.That(counter.Steps + step.Steps, Is.GreaterThan(0));
    }

    [Test]
    public void BadArgumentsThrowNamingTheParameter()
    {
        var loop = new FixedStepLoop(0.01);
        Assert.That(() => loop.Advance(double.NaN), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("frameSeconds"));
        Assert.That(() => loop.Advance(-0.001), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("frameSeconds"));
        Assert.That(() => loop.Advance(double.PositiveInfinity), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => loop.TimeScale = -1, Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => loop.TimeScale = double.NaN, Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => new FixedStepLoop(0), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("stepSeconds"));
        Assert.That(() => new FixedStepLoop(0.01, 0), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("maxStepsPerFrame"));
        Assert.That(() => loop.Advance(0.01, (Counter)null!), Throws.ArgumentNullException);
        Assert.That(loop.Frames, Is.EqualTo(0), "rejected frames do not count");
    }
}
