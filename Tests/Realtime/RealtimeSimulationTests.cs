using System;
using System.Runtime.InteropServices;
using Cortex.Realtime;
using NUnit.Framework;

namespace Cortex.Tests.Realtime;

/// <summary>The pieces together: a fixed-step loop that thinks with batched chunks and learns on a budget.</summary>
[TestFixture]
public sealed class RealtimeSimulationTests
{
    [StructLayout(LayoutKind.Sequential)]
    private struct Observation
    {
        public float X, Y, VelocityX, VelocityY;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Steering
    {
        public float AccelerationX, AccelerationY;
    }

    // Agents in chunks of 50 steer by their brain; a teacher (steer home) labels a few of them every
    // step and the brain learns from those samples online.
    private sealed class World : IFixedStep, IDisposable
    {
        public const int Chunks = 4, ChunkSize = 50, Taught = 8;
        private readonly BrainHandle _handle;
        private readonly Observation[][] _agents = new Observation[Chunks][];
        private readonly Steering[][] _actions = new Steering[Chunks][];
        private readonly Steering[] _targets = new Steering[Taught];

        public World(int threads, ulong seed)
        {
            Brain = Cortex.Brain.Create(4).Dense(16, Activation.Tanh).Dense(2, Activation.Tanh)
                .Optimizer(Optimizer.Adam(0.01f)).MaxBatch(32).Threads(threads).Build(seed);
            Registry = new BrainRegistry();
            _handle = Registry.Register(Brain);
            Think = new ThinkSystem(Registry, rowsPerBrain: Chunks * ChunkSize, columnsPerTick: Chunks);
            Trainer = new OnlineTrainer(Brain, capacity: 1024, batchSize: 16, TrainingBudget.Updates(1), seed: seed + 1);
            Loop = new FixedStepLoop(1.0 / 50.0, maxStepsPerFrame: 4);
            var random = new SeededRandom(seed + 2);
            for (int c = 0; c < Chunks; c++)
            {
                _agents[c] = new Observation[ChunkSize];
                _actions[c] = new Steering[ChunkSize];
                for (int i = 0; i < ChunkSize; i++) _agents[c][i] = new Observation { X = random.NextFloat(-2, 2), Y = random.NextFloat(-2, 2) };
            }
        }

        public Brain Brain { get; }

        public BrainRegistry Registry { get; }

        public ThinkSystem Think { get; }

        public OnlineTrainer Trainer { get; }

        public FixedStepLoop Loop { get; }

        public void FixedStep(in FixedTime time)
        {
            float dt = time.DeltaTime;
            for (int c = 0; c < Chunks; c++) Think.Submit(_handle, _agents[c], _actions[c].AsMemory());
            Think.Think();
            for (int c = 0; c < Chunks; c++)
            {
                Observation[] agents = _agents[c];
                Steering[] actions = _actions[c];
                if ((time.Tick + c) % 4 == 0)
                {
                    for (int i = 0; i < Taught; i++)
                    {
                        ref Observation o = ref agents[i];
                        _targets[i] = new Steering { AccelerationX = MathF.Tanh(-o.X - o.VelocityX), AccelerationY = MathF.Tanh(-o.Y - o.VelocityY) };
                    }
                    Trainer.AddSamples<Observation, Steering>(agents.AsSpan(0, Taught), _targets);
                }
                for (int i = 0; i < ChunkSize; i++)
                {
                    ref Observation o = ref agents[i];
                    o.VelocityX = 0.95f * o.VelocityX + 4f * actions[i].AccelerationX * dt;
                    o.VelocityY = 0.95f * o.VelocityY + 4f * actions[i].AccelerationY * dt;
                    o.X = Math.Clamp(o.X + o.VelocityX * dt, -3f, 3f);
                    o.Y = Math.Clamp(o.Y + o.VelocityY * dt, -3f, 3f);
                }
            }
            Trainer.Tick();
        }

        public float[] Parameters()
        {
            float[] theta = new float[Brain.ParameterCount];
            Brain.CopyParametersTo(theta);
            return theta;
        }

        public float[] State()
        {
            var state = new float[Chunks * ChunkSize * 4];
            for (int c = 0; c < Chunks; c++) MemoryMarshal.Cast<Observation, float>(_agents[c].AsSpan()).CopyTo(state.AsSpan(c * ChunkSize * 4));
            return state;
        }

        public void Dispose() => Brain.Dispose();
    }

    private static double[] FrameTimes(int count, ulong seed)
    {
        var random = new SeededRandom(seed);
        double[] frames = new double[count];
        for (int i = 0; i < count; i++) frames[i] = (0.3 + 2.0 * random.NextDouble()) / 50.0;
        return frames;
    }

    [Test]
    public void AWholeRunIsBitwiseIdenticalAcrossRunsAndThreadCounts()
    {
        double[] frames = FrameTimes(1500, seed: 9);
        (float[] theta1, float[] state1, long ticks1) = Run(threads: 1);
        (float[] theta2, float[] state2, long ticks2) = Run(threads: 1);
        (float[] theta3, float[] state3, long ticks3) = Run(threads: 2);
        Assert.That(ticks1, Is.GreaterThan(1500));
        Assert.That(ticks2, Is.EqualTo(ticks1));
        Assert.That(ticks3, Is.EqualTo(ticks1));
        Assert.That(theta2, Is.EqualTo(theta1), "same seed, same frames: same brain, bit for bit");
        Assert.That(state2, Is.EqualTo(state1));
        Assert.That(theta3, Is.EqualTo(theta1), "thread count does not change the brain");
        Assert.That(state3, Is.EqualTo(state1));

        (float[], float[], long) Run(int threads)
        {
            using var world = new World(threads, seed: 42);
            foreach (double frame in frames) world.Loop.Advance(frame, world);
            Assert.That(world.Trainer.Stats.Updates, Is.GreaterThan(1000));
            return (world.Parameters(), world.State(), world.Loop.Tick);
        }
    }

    [Test]
    public void TenThousandTicksOfThinkingAndLearningAllocateNothing()
    {
        using var world = new World(threads: 1, seed: 7);
        double[] frames = FrameTimes(10_000, seed: 8);
        for (int i = 0; i < 100; i++) world.Loop.Advance(1.0 / 50.0, world);
        long ticksBefore = world.Loop.Tick;
        long before = GC.GetAllocatedBytesForCurrentThread();
        foreach (double frame in frames) world.Loop.Advance(frame, world);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(world.Loop.Tick - ticksBefore, Is.GreaterThanOrEqualTo(10_000));
        Assert.That(allocated, Is.EqualTo(0));
        Assert.That(world.Think.BufferGrowths, Is.EqualTo(0));
        Assert.That(world.Trainer.Stats.Updates, Is.GreaterThanOrEqualTo(10_000));
        Assert.That(world.Trainer.Stats.RejectedUpdates, Is.EqualTo(0));
    }
}
