using System;
using System.Buffers;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using Cortex.Realtime;
using NUnit.Framework;

namespace Cortex.Tests.Realtime;

[TestFixture]
public sealed class ThinkSystemTests
{
    [StructLayout(LayoutKind.Sequential)]
    private struct Observation
    {
        public float X, Y, VelocityX, VelocityY;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Steering
    {
        public float Turn, Throttle;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct ThreeFloats
    {
        public float A, B, C;
    }

    // Counts batched predictions per brain and passes them through.
    private sealed class CountingPredictor : IThinkPredictor
    {
        public readonly Dictionary<Brain, int> Calls = new();
        public readonly Dictionary<Brain, int> Rows = new();

        public void Predict(Brain brain, ReadOnlySpan<float> inputs, Span<float> outputs, int rows)
        {
            Calls[brain] = Calls.TryGetValue(brain, out int c) ? c + 1 : 1;
            Rows[brain] = Rows.TryGetValue(brain, out int r) ? r + rows : rows;
            brain.Predict(inputs, outputs, rows);
        }

        public void Clear()
        {
            Calls.Clear();
            Rows.Clear();
        }
    }

    // A MemoryManager over an array, standing in for native component storage.
    private sealed class ArrayMemoryManager<T> : MemoryManager<T> where T : unmanaged
    {
        private readonly T[] _array;

        public ArrayMemoryManager(T[] array) => _array = array;

        public override Span<T> GetSpan() => _array;

        public override MemoryHandle Pin(int elementIndex = 0) => throw new NotSupportedException();

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing)
        {
        }
    }

    private static Brain Steerer(ulong seed, int maxBatch = 256) =>
        Brain.Create(4).Dense(8, Activation.Tanh).Dense(2, Activation.Tanh).MaxBatch(maxBatch).Build(seed);

    private static Observation[] Observations(int count, ulong seed)
    {
        var random = new SeededRandom(seed);
        var o = new Observation[count];
        for (int i = 0; i < count; i++) o[i] = new Observation { X = random.NextFloat(-1, 1), Y = random.NextFloat(-1, 1), VelocityX = random.NextFloat(-1, 1), VelocityY = random.NextFloat(-1, 1) };
        return o;
    }

    private static Steering[] Expected(Brain brain, Observation[] observations)
    {
        var actions = new Steering[observations.Length];
        brain.Predict(MemoryMarshal.Cast<Observation, float>(observations.AsSpan()), MemoryMarshal.Cast<Steering, float>(actions.AsSpan()), observations.Length);
        return actions;
    }

    private static void AssertSame(Steering[] actual, Steering[] expected)
    {
        float[] a = MemoryMarshal.Cast<Steering, float>(actual.AsSpan()).ToArray(), e = MemoryMarshal.Cast<Steering, float>(expected.AsSpan()).ToArray();
        Assert.That(a, Is.EqualTo(e).Within(1e-5f));
    }

    [Test]
    public void FiftyChunksOfAHundredRowsMakeOneBatchedCallPerBrainPerTick()
    {
        using Brain seeker = Steerer(1), hider = Steerer(2);
        var registry = new BrainRegistry();
        BrainHandle hs = registry.Register(seeker), hh = registry.Register(hider);
        var think = new ThinkSystem(registry, rowsPerBrain: 5000, columnsPerTick: 100);
        var counter = new CountingPredictor();
        think.Predictor = counter;

        Observation[][] chunks = new Observation[100][];
        Steering[][] actions = new Steering[100][];
        for (int c = 0; c < 100; c++)
        {
            chunks[c] = Observations(100, (ulong)(10 + c));
            actions[c] = new Steering[100];
        }

        for (int tick = 0; tick < 3; tick++)
        {
            counter.Clear();
            for (int c = 0; c < 100; c++) think.Submit(c % 2 == 0 ? hs : hh, chunks[c], actions[c].AsMemory());
            think.Think();

            Assert.That(counter.Calls[seeker], Is.EqualTo(1), "50 chunks of the seeker brain: one call");
            Assert.That(counter.Calls[hider], Is.EqualTo(1), "50 chunks of the hider brain: one call");
            Assert.That(counter.Rows[seeker], Is.EqualTo(5000));
            Assert.That(counter.Rows[hider], Is.EqualTo(5000));
            Assert.That(think.LastTick, Is.EqualTo(new ThinkStats(tick, 2, 10_000, 100)));
        }
        for (int c = 0; c < 100; c++) AssertSame(actions[c], Expected(c % 2 == 0 ? seeker : hider, chunks[c]));
        Assert.That(think.BufferGrowths, Is.EqualTo(0));
        Assert.That(think.TotalBrainCalls, Is.EqualTo(6));
    }

    [Test]
    public void GatheredTicketsScatterTheirOwnRows()
    {
        using Brain brain = Steerer(3);
        var registry = new BrainRegistry();
        BrainHandle h = registry.Register(brain);
        var think = new ThinkSystem(registry, rowsPerBrain: 64);
        Observation[] a = Observations(30, 1), b = Observations(17, 2);

        ThinkTicket ta = think.Gather<Observation>(h, a), tb = think.Gather<Observation>(h, b);
        Assert.That(ta.Rows, Is.EqualTo(30));
        think.Think();
        var actionsA = new Steering[30];
        var actionsB = new Steering[20];
        think.Scatter<Steering>(tb, actionsB);
        think.Scatter<Steering>(ta, actionsA);
        AssertSame(actionsA, Expected(brain, a));
        AssertSame(actionsB.AsSpan(0, 17).ToArray(), Expected(brain, b));
        Assert.That(actionsB[17], Is.EqualTo(default(Steering)), "rows beyond the ticket are untouched");

        // A ticket is readable only in the tick that the last Think completed.
        think.Gather<Observation>(h, a);
        Assert.That(() => think.Scatter<Steering>(ta, actionsA), Throws.InvalidOperationException);
        think.Think();
        Assert.That(() => think.Scatter<Steering>(ta, actionsA), Throws.InvalidOperationException);
    }

    [Test]
    public void RowsThatNameDifferentBrainsAreRoutedToTheirBrainsBatch()
    {
        using Brain a = Steerer(4), b = Steerer(5);
        var registry = new BrainRegistry();
        BrainHandle ha = registry.Register(a), hb = registry.Register(b);
        var think = new ThinkSystem(registry, rowsPerBrain: 256);
        var counter = new CountingPredictor();
        think.Predictor = counter;

        Observation[] chunk1 = Observations(40, 6), chunk2 = Observations(25, 7);
        BrainHandle[] brains1 = new BrainHandle[40], brains2 = new BrainHandle[25];
        var random = new SeededRandom(8);
        for (int i = 0; i < brains1.Length; i++) brains1[i] = random.NextInt(2) == 0 ? ha : hb;
        for (int i = 0; i < brains2.Length; i++) brains2[i] = random.NextInt(3) == 0 ? ha : hb;
        var actions1 = new Steering[40];
        var actions2 = new Steering[25];

        think.Submit(brains1, chunk1, actions1.AsMemory());
        ThinkTicket t2 = think.Gather<Observation>(brains2, chunk2);
        think.Think();
        think.Scatter<Steering>(t2, actions2);

        Assert.That(counter.Calls[a], Is.EqualTo(1));
        Assert.That(counter.Calls[b], Is.EqualTo(1));
        Assert.That(counter.Rows[a] + counter.Rows[b], Is.EqualTo(65));
        Steering[] ea1 = Expected(a, chunk1), eb1 = Expected(b, chunk1), ea2 = Expected(a, chunk2), eb2 = Expected(b, chunk2);
        for (int i = 0; i < 40; i++) AssertSame(new[] { actions1[i] }, new[] { brains1[i] == ha ? ea1[i] : eb1[i] });
        for (int i = 0; i < 25; i++) AssertSame(new[] { actions2[i] }, new[] { brains2[i] == ha ? ea2[i] : eb2[i] });
    }

    [Test]
    public void ActionColumnsMayBeSlicesAndMemoryManagers()
    {
        using Brain brain = Steerer(9);
        var registry = new BrainRegistry();
        BrainHandle h = registry.Register(brain);
        var think = new ThinkSystem(registry);
        Observation[] o = Observations(10, 10);
        var big = new Steering[16];
        var native = new Steering[12];
        think.Submit(h, o.AsSpan(), big.AsMemory(3, 10));
        think.Submit(h, o.AsSpan(0, 5), new ArrayMemoryManager<Steering>(native).Memory.Slice(2, 5));
        think.Think();
        Steering[] e = Expected(brain, o);
        AssertSame(big.AsSpan(3, 10).ToArray(), e);
        Assert.That(big[2], Is.EqualTo(default(Steering)));
        Assert.That(big[13], Is.EqualTo(default(Steering)));
        AssertSame(native.AsSpan(2, 5).ToArray(), e.AsSpan(0, 5).ToArray());
    }

    [Test]
    public void ThinkNowPredictsOneColumnInOneCall()
    {
        using Brain brain = Steerer(11, maxBatch: 16);
        var registry = new BrainRegistry();
        BrainHandle h = registry.Register(brain);
        var think = new ThinkSystem(registry);
        var counter = new CountingPredictor();
        think.Predictor = counter;
        Observation[] o = Observations(50, 12);
        var actions = new Steering[50];
        think.ThinkNow<Observation, Steering>(h, o, actions);
        Assert.That(counter.Calls[brain], Is.EqualTo(1));
        AssertSame(actions, Expected(brain, o));
    }

    [Test]
    public void StructSizesAreCheckedAgainstTheBrain()
    {
        using Brain brain = Steerer(13);
        var registry = new BrainRegistry();
        BrainHandle h = registry.Register(brain);
        var think = new ThinkSystem(registry);
        var threes = new ThreeFloats[4];
        var steering = new Steering[4];
        Observation[] o = Observations(4, 1);

        Assert.That(() => think.Gather<ThreeFloats>(h, threes),
            Throws.ArgumentException.With.Property("ParamName").EqualTo("observations").And.Message.Contains("12 bytes").And.Message.Contains("4 floats (16 bytes)"));
        Assert.That(() => think.Submit(h, o.AsSpan(), threes.AsMemory()),
            Throws.ArgumentException.With.Property("ParamName").EqualTo("actions").And.Message.Contains("12 bytes").And.Message.Contains("2 floats (8 bytes)"));
        Assert.That(() => think.Submit(h, o.AsSpan(), steering.AsMemory(0, 3)),
            Throws.ArgumentException.With.Property("ParamName").EqualTo("actions").And.Message.Contains("3 structs").And.Message.Contains("4 rows"));
        Assert.That(() => think.Submit(new[] { h, h }, o.AsSpan(), steering.AsMemory()),
            Throws.ArgumentException.With.Property("ParamName").EqualTo("brains").And.Message.Contains("2 handles"));
        Assert.That(() => think.Submit(new[] { h, h, h, h }, o.AsSpan(), threes.AsMemory()),
            Throws.ArgumentException.With.Property("ParamName").EqualTo("actions"));
        Assert.That(() => think.Gather<Observation>(BrainHandle.None, o),
            Throws.ArgumentException.With.Property("ParamName").EqualTo("brain").And.Message.Contains("None"));
        Assert.That(() => think.Gather<Observation>(new[] { h, h, BrainHandle.FromValue(7), h }, o),
            Throws.ArgumentException.With.Property("ParamName").EqualTo("brains"));

        ThinkTicket t = think.Gather<Observation>(h, o);
        Assert.That(() => think.Scatter<Steering>(t, steering), Throws.InvalidOperationException, "before Think");
        think.Think();
        Assert.That(() => think.Scatter<ThreeFloats>(t, threes), Throws.ArgumentException.With.Property("ParamName").EqualTo("actions"));
        Assert.That(() => think.Scatter<Steering>(t, steering.AsSpan(0, 2)), Throws.ArgumentException.With.Property("ParamName").EqualTo("actions"));
    }

    [Test]
    public void BuffersGrowRarelyAndReportIt()
    {
        using Brain brain = Steerer(14);
        var registry = new BrainRegistry();
        BrainHandle h = registry.Register(brain);
        var think = new ThinkSystem(registry, rowsPerBrain: 8, columnsPerTick: 2);
        var grown = new List<(BrainHandle, int)>();
        think.BufferGrown += (b, capacity) => grown.Add((b, capacity));
        Observation[] o = Observations(10, 15);
        var actions = new Steering[10];

        for (int tick = 0; tick < 5; tick++)
        {
            for (int c = 0; c < 3; c++) think.Submit(h, o.AsSpan(), actions.AsMemory());
            think.Think();
        }
        Assert.That(think.BufferGrowths, Is.EqualTo(grown.Count));
        Assert.That(grown, Does.Contain((h, 16)).And.Contain((h, 32)).And.Contain((BrainHandle.None, 4)));
        Assert.That(think.Capacity(h), Is.EqualTo(32));
        int afterFirstTick = grown.Count;
        Assert.That(afterFirstTick, Is.EqualTo(3), "only the first tick grew");
        AssertSame(actions, Expected(brain, o));

        // A brain registered later gets its buffers at first use, reported; Reserve does it up front.
        using Brain late = Steerer(15);
        BrainHandle hl = registry.Register(late);
        think.Reserve(hl, 100);
        Assert.That(think.Capacity(hl), Is.EqualTo(100));
        think.Submit(hl, o.AsSpan(), actions.AsMemory());
        think.Think();
        Assert.That(think.BufferGrowths, Is.EqualTo(afterFirstTick));
    }

    [Test]
    public void SteadyStateTicksAllocateNothing()
    {
        using Brain a = Steerer(16), b = Steerer(17);
        var registry = new BrainRegistry();
        BrainHandle ha = registry.Register(a), hb = registry.Register(b);
        var think = new ThinkSystem(registry, rowsPerBrain: 1100, columnsPerTick: 32);
        Observation[][] chunks = new Observation[20][];
        Steering[][] actions = new Steering[20][];
        BrainHandle[] mixed = new BrainHandle[100];
        for (int c = 0; c < 20; c++)
        {
            chunks[c] = Observations(100, (ulong)c);
            actions[c] = new Steering[100];
        }
        for (int i = 0; i < mixed.Length; i++) mixed[i] = i % 3 == 0 ? ha : hb;
        var scattered = new Steering[100];

        void Tick()
        {
            for (int c = 0; c < 18; c++) think.Submit(c % 2 == 0 ? ha : hb, chunks[c], actions[c].AsMemory());
            think.Submit(mixed, chunks[18], actions[18].AsMemory());
            ThinkTicket t = think.Gather<Observation>(ha, chunks[19]);
            think.Think();
            think.Scatter<Steering>(t, scattered);
        }

        for (int i = 0; i < 5; i++) Tick();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 500; i++) Tick();
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.EqualTo(0));
        Assert.That(think.BufferGrowths, Is.EqualTo(0));
        AssertSame(scattered, Expected(a, chunks[19]));
    }
}
