using System;

namespace Cortex.Realtime;

/// <summary>The moment a fixed step simulates: which tick, and how long a tick is.</summary>
public readonly struct FixedTime
{
    /// <summary>Describes one fixed step.</summary>
    /// <param name="tick">0-based index of the step since the loop started.</param>
    /// <param name="stepNanoseconds">Length of a step in nanoseconds.</param>
    /// <param name="indexInFrame">0-based index of the step within the frame that runs it.</param>
    public FixedTime(long tick, long stepNanoseconds, int indexInFrame)
    {
        Tick = tick;
        StepNanoseconds = stepNanoseconds;
        IndexInFrame = indexInFrame;
    }

    /// <summary>0-based index of this step since the loop started.</summary>
    public long Tick { get; }

    /// <summary>Length of a step in nanoseconds (exact).</summary>
    public long StepNanoseconds { get; }

    /// <summary>Length of a step in seconds.</summary>
    public double StepSeconds => StepNanoseconds * 1e-9;

    /// <summary>Length of a step in seconds, as a float for simulation code.</summary>
    public float DeltaTime => (float)(StepNanoseconds * 1e-9);

    /// <summary>0-based index of this step within its frame (0 unless the loop is catching up).</summary>
    public int IndexInFrame { get; }

    /// <summary>Simulated time at the start of this step, in seconds.</summary>
    public double Seconds => Tick * (StepNanoseconds * 1e-9);
}

/// <summary>
/// What a <see cref="FixedStepLoop"/> calls once per due step. Implement it on a class, or on a struct
/// passed by <c>ref</c>: the loop calls it through a generic, so no delegate is created per frame.
/// </summary>
public interface IFixedStep
{
    /// <summary>Simulates one fixed step.</summary>
    /// <param name="time">Which step, and its length.</param>
    void FixedStep(in FixedTime time);
}

/// <summary>
/// A fixed-timestep loop (the accumulator pattern): each frame adds its scaled frame time to an
/// accumulator and runs as many steps of <see cref="StepSeconds"/> as are due, at most
/// <see cref="MaxStepsPerFrame"/>; time beyond that cap is dropped and reported rather than chased
/// (no spiral of death). Time is kept in integer nanoseconds, so the same sequence of frame times
/// gives the same steps on every run and machine. Allocates nothing.
/// </summary>
public sealed class FixedStepLoop
{
    /// <summary>Longest frame, in nanoseconds, the loop accepts at once (about 146 years); longer ones are clamped.</summary>
    public const long MaxFrameNanoseconds = 1L << 62;

    private long _accumulator;
    private double _timeScale = 1.0;

    /// <summary>Creates a loop.</summary>
    /// <param name="stepSeconds">Length of a fixed step; rounded to whole nanoseconds, at least 1 µs and at most one hour.</param>
    /// <param name="maxStepsPerFrame">Most steps one frame may run (catch-up cap), at least 1.</param>
    public FixedStepLoop(double stepSeconds, int maxStepsPerFrame = 5)
    {
        if (!(stepSeconds >= 1e-6 && stepSeconds <= 3600.0))
        {
            throw new ArgumentOutOfRangeException(nameof(stepSeconds), stepSeconds, "stepSeconds must lie in [1e-6, 3600].");
        }
        if (maxStepsPerFrame < 1) throw new ArgumentOutOfRangeException(nameof(maxStepsPerFrame), maxStepsPerFrame, "maxStepsPerFrame must be at least 1.");
        StepNanoseconds = (long)Math.Round(stepSeconds * 1e9);
        MaxStepsPerFrame = maxStepsPerFrame;
    }

    /// <summary>Length of a fixed step in nanoseconds (the exact unit the loop counts in).</summary>
    public long StepNanoseconds { get; }

    /// <summary>Length of a fixed step in seconds.</summary>
    public double StepSeconds => StepNanoseconds * 1e-9;

    /// <summary>Most steps a single frame runs; the rest of a long frame is dropped (see <see cref="DroppedNanoseconds"/>).</summary>
    public int MaxStepsPerFrame { get; }

    /// <summary>Steps run since the loop was created (the index the next step will get).</summary>
    public long Tick { get; private set; }

    /// <summary>Frames advanced (paused frames included).</summary>
    public long Frames { get; private set; }

    /// <summary>Simulated time in seconds: <see cref="Tick"/> · <see cref="StepSeconds"/>.</summary>
    public double SimulatedSeconds => Tick * StepSeconds;

    /// <summary>Scaled time not yet simulated, in nanoseconds: in [0, <see cref="StepNanoseconds"/>) between frames (unless a step threw, leaving its frame's later steps due).</summary>
    public long AccumulatedNanoseconds => _accumulator;

    /// <summary>
    /// How far the present lies between the last step and the next one, in [0, 1): render state as
    /// lerp(previous, current, alpha).
    /// </summary>
    public double Alpha => (double)_accumulator / StepNanoseconds;

    /// <summary>True while <see cref="Pause"/> holds the loop: frames advance no simulated time.</summary>
    public bool IsPaused { get; private set; }

    /// <summary>
    /// Simulated seconds per real second: 1 is real time, 0.5 slow motion, 0 freezes time (like a pause
    /// that keeps counting frames). Finite, in [0, 100].
    /// </summary>
    public double TimeScale
    {
        get => _timeScale;
        set
        {
            if (!(value >= 0.0 && value <= 100.0)) throw new ArgumentOutOfRangeException(nameof(value), value, "TimeScale must lie in [0, 100].");
            _timeScale = value;
        }
    }

    /// <summary>Steps the last frame ran.</summary>
    public int LastFrameSteps { get; private set; }

    /// <summary>Scaled time the last frame dropped because of the catch-up cap, in nanoseconds.</summary>
    public long LastFrameDroppedNanoseconds { get; private set; }

    /// <summary>All scaled time dropped so far because of the catch-up cap, in nanoseconds.</summary>
    public long DroppedNanoseconds { get; private set; }

    /// <summary>All scaled time dropped so far, in seconds.</summary>
    public double DroppedSeconds => DroppedNanoseconds * 1e-9;

    /// <summary>Frames that hit the catch-up cap and dropped time.</summary>
    public long CappedFrames { get; private set; }

    /// <summary>Stops simulated time; frames still count, steps do not run, <see cref="Alpha"/> keeps its value.</summary>
    public void Pause() => IsPaused = true;

    /// <summary>Lets simulated time run again, from where it stopped (the paused time is not caught up).</summary>
    public void Resume() => IsPaused = false;

    /// <summary>
    /// Adds a frame's time and returns how many fixed steps are now due (at most <see cref="MaxStepsPerFrame"/>);
    /// <see cref="Tick"/> advances by that many. Use this to drive the steps yourself; the overloads that take
    /// an <see cref="IFixedStep"/> run them for you.
    /// </summary>
    /// <param name="frameSeconds">Real time since the last frame, finite and at least 0.</param>
    public int Advance(double frameSeconds)
    {
        int due = BeginFrame(frameSeconds);
        _accumulator -= due * StepNanoseconds;
        Tick += due;
        return due;
    }

    /// <summary>Adds a frame's time and runs every due fixed step on <paramref name="step"/>. Returns the steps run.</summary>
    /// <typeparam name="TStep">A class implementing <see cref="IFixedStep"/> (structs: use the <c>ref</c> overload).</typeparam>
    /// <param name="frameSeconds">Real time since the last frame, finite and at least 0.</param>
    /// <param name="step">What to call once per step.</param>
    public int Advance<TStep>(double frameSeconds, TStep step) where TStep : class, IFixedStep
    {
        if (step is null) throw new ArgumentNullException(nameof(step));
        int due = BeginFrame(frameSeconds);
        for (int i = 0; i < due; i++)
        {
            var time = new FixedTime(Tick, StepNanoseconds, i);
            ConsumeStep();
            step.FixedStep(time);
        }
        return due;
    }

    /// <summary>
    /// Adds a frame's time and runs every due fixed step on a struct <paramref name="step"/>, by reference
    /// (its state changes persist; no boxing). Returns the steps run.
    /// </summary>
    /// <typeparam name="TStep">A struct implementing <see cref="IFixedStep"/>.</typeparam>
    /// <param name="frameSeconds">Real time since the last frame, finite and at least 0.</param>
    /// <param name="step">What to call once per step.</param>
    public int Advance<TStep>(double frameSeconds, ref TStep step) where TStep : struct, IFixedStep
    {
        int due = BeginFrame(frameSeconds);
        for (int i = 0; i < due; i++)
        {
            var time = new FixedTime(Tick, StepNanoseconds, i);
            ConsumeStep();
            step.FixedStep(time);
        }
        return due;
    }

    /// <summary>Runs exactly one step now, paused or not (frame-by-frame debugging); the accumulator is untouched.</summary>
    /// <typeparam name="TStep">A class implementing <see cref="IFixedStep"/>.</typeparam>
    /// <param name="step">What to call.</param>
    public void StepOnce<TStep>(TStep step) where TStep : class, IFixedStep
    {
        if (step is null) throw new ArgumentNullException(nameof(step));
        var time = new FixedTime(Tick, StepNanoseconds, 0);
        Tick++;
        step.FixedStep(time);
    }

    /// <summary>Forgets accumulated time and the drop statistics (e.g. after loading a level); <see cref="Tick"/> is kept.</summary>
    public void ResetAccumulator()
    {
        _accumulator = 0;
        LastFrameSteps = 0;
        LastFrameDroppedNanoseconds = 0;
    }

    /// <summary>Converts seconds (already scaled) to whole nanoseconds, clamped to <see cref="MaxFrameNanoseconds"/>.</summary>
    /// <param name="seconds">Finite, at least 0.</param>
    public static long ToNanoseconds(double seconds)
    {
        double ns = Math.Round(seconds * 1e9);
        return ns >= MaxFrameNanoseconds ? MaxFrameNanoseconds : (long)ns;
    }

    // Adds the frame's scaled time, applies the cap, and returns the steps due. The step loop then
    // consumes them one at a time, so an exception in a step leaves the counters consistent.
    private int BeginFrame(double frameSeconds)
    {
        if (!(frameSeconds >= 0.0) || double.IsInfinity(frameSeconds))
        {
            throw new ArgumentOutOfRangeException(nameof(frameSeconds), frameSeconds, "frameSeconds must be finite and at least 0.");
        }
        Frames++;
        LastFrameSteps = 0;
        LastFrameDroppedNanoseconds = 0;
        if (IsPaused) return 0;
        long frame = ToNanoseconds(frameSeconds * _timeScale);
        // _accumulator < StepNanoseconds <= 2^42, so the sum cannot overflow.
        _accumulator += frame;
        long due = _accumulator / StepNanoseconds;
        if (due > MaxStepsPerFrame)
        {
            long dropped = (due - MaxStepsPerFrame) * StepNanoseconds;
            _accumulator -= dropped;
            LastFrameDroppedNanoseconds = dropped;
            DroppedNanoseconds = DroppedNanoseconds > long.MaxValue - dropped ? long.MaxValue : DroppedNanoseconds + dropped;
            CappedFrames++;
            due = MaxStepsPerFrame;
        }
        LastFrameSteps = (int)due;
        return (int)due;
    }

    private void ConsumeStep()
    {
        _accumulator -= StepNanoseconds;
        Tick++;
    }
}
