using System;
using Cortex.Backends;
using Cortex.Kernels;
using Cortex.Tensors;
using NUnit.Framework;

namespace Cortex.Tests.Backends;

/// <summary>The CPU backend's parallel passes give the same bits as the serial kernels, whatever the thread count.</summary>
[TestFixture]
public sealed class CpuBackendTests
{
    private const int Rows = 300, Columns = 257;      // above the parallel threshold, ragged against every chunk size

    private static float[] Values(int length, int seed, float scale = 4f)
    {
        var random = new SeededRandom((ulong)seed);
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = random.NextFloat(-scale, scale);
        return values;
    }

    private static DeviceBuffer Put(IBackend backend, float[] values)
    {
        DeviceBuffer buffer = backend.Allocate(values.Length);
        backend.Upload(buffer.All, values);
        return buffer;
    }

    private static float[] Get(IBackend backend, DeviceBuffer buffer)
    {
        float[] values = new float[buffer.Length];
        backend.Download(values, buffer.All);
        return values;
    }

    [TestCase(ActivationKind.Tanh)]
    [TestCase(ActivationKind.Relu)]
    [TestCase(ActivationKind.Sigmoid)]
    [TestCase(ActivationKind.Softmax)]
    public void ElementWisePassesMatchTheSerialKernels(ActivationKind kind)
    {
        Activation activation = Activation.FromKind(kind, 0f);
        float[] z0 = Values(Rows * Columns, 1), bias = Values(Columns, 2), dY = Values(Rows * Columns, 3, 1f);
        float[] zExpected = (float[])z0.Clone(), yExpected = new float[z0.Length], dZExpected = new float[z0.Length];
        ActivationKernels.BiasActivationForward(yExpected, zExpected, bias, activation, Rows, Columns);
        ActivationKernels.Backward(dZExpected, dY, zExpected, yExpected, activation, Rows, Columns);
        foreach (int threads in new[] { 1, 2, 3 })
        {
            using var backend = new CpuBackend(threads);
            DeviceBuffer z = Put(backend, z0), y = backend.Allocate(z0.Length), b = Put(backend, bias), dy = Put(backend, dY), dz = backend.Allocate(z0.Length);
            backend.BiasActivationForward(y.All, z.All, b.All, activation, Rows, Columns);
            backend.ActivationBackward(dz.All, dy.All, z.All, y.All, activation, Rows, Columns);
            Assert.That(Get(backend, z), Is.EqualTo(zExpected), $"z, {threads} threads");
            Assert.That(Get(backend, y), Is.EqualTo(yExpected), $"y, {threads} threads");
            Assert.That(Get(backend, dz), Is.EqualTo(dZExpected), $"dZ, {threads} threads");
        }
    }

    [Test]
    public void ColumnSumAndSumOfSquaresMatchTheSerialKernels()
    {
        float[] x = Values(Rows * Columns, 4), start = Values(Columns, 5);
        float[] expected = (float[])start.Clone();
        ReductionKernels.ColumnSum(expected, x, Rows, Columns, accumulate: true);
        double squares = ReductionKernels.SumOfSquares(x);
        foreach (int threads in new[] { 1, 2, 3 })
        {
            using var backend = new CpuBackend(threads);
            DeviceBuffer xs = Put(backend, x), sums = Put(backend, start);
            backend.ColumnSum(sums.All, xs.All, Rows, Columns, accumulate: true);
            Assert.That(Get(backend, sums), Is.EqualTo(expected), $"{threads} threads");
            Assert.That(backend.SumOfSquares(xs.All), Is.EqualTo(squares), $"{threads} threads");
        }
    }

    [TestCase(OptimizerKind.GradientDescent)]
    [TestCase(OptimizerKind.Momentum)]
    [TestCase(OptimizerKind.Adam)]
    public void OptimizerStepsMatchTheSerialKernelAndClearTheGradients(OptimizerKind kind)
    {
        Optimizer optimizer = kind switch
        {
            OptimizerKind.Momentum => Optimizer.WithMomentum(0.05f, 0.9f),
            OptimizerKind.Adam => Optimizer.Adam(0.01f).WithWeightDecay(1e-3f),
            _ => Optimizer.GradientDescent(0.1f).WithWeightDecay(1e-3f),
        };
        const int n = 100_003;
        float[] p0 = Values(n, 6), g0 = Values(n, 7, 1f), m0 = Values(n, 8, 0.1f), v0 = Values(n, 9, 0.1f);
        for (int i = 0; i < n; i++) v0[i] = Math.Abs(v0[i]);
        float[] expected = null!;
        foreach (int threads in new[] { 1, 2, 3 })
        {
            using var backend = new CpuBackend(threads);
            DeviceBuffer p = Put(backend, p0), g = Put(backend, g0), m1 = Put(backend, m0), m2 = Put(backend, v0);
            backend.OptimizerStep(optimizer, p.All, g.All, m1.All, m2.All, step: 3, gradientScale: 0.7f);
            float[] actual = Get(backend, p);
            expected ??= actual;
            Assert.That(actual, Is.EqualTo(expected), $"{threads} threads");
            Assert.That(Get(backend, g), Is.All.EqualTo(0f), "gradients cleared");
        }
        float[] serial = (float[])p0.Clone(), sg = (float[])g0.Clone(), sm = (float[])m0.Clone(), sv = (float[])v0.Clone();
        switch (kind)
        {
            case OptimizerKind.GradientDescent: OptimizerKernels.GradientDescent(serial, sg, 0.1f, 1e-3f, 0.7f); break;
            case OptimizerKind.Momentum: OptimizerKernels.Momentum(serial, sm, sg, 0.05f, 0.9f, false, 0f, 0.7f); break;
            default: OptimizerKernels.Adam(serial, sm, sv, sg, 0.01f, 0.9f, 0.999f, 1e-8f, 1e-3f, 3, 0.7f); break;
        }
        Assert.That(expected, Is.EqualTo(serial), "the serial kernel");
    }

    // Odd ranges in a shuffled order: not aligned to norm blocks, vector widths or optimizer chunks, owners interleaved.
    private static CpuPartition OddPartition(int threads, int length)
    {
        var ranges = new System.Collections.Generic.List<(int, int, int)>();
        int start = 0, owner = 0, size = 1;
        while (start < length)
        {
            int count = Math.Min(length - start, 1 + (size * 7919) % 40_000);
            ranges.Add((start, count, owner));
            start += count;
            owner = (owner + 2) % threads;
            size++;
        }
        ranges.Reverse();
        return new CpuPartition(threads, length, ranges);
    }

    [TestCase(OptimizerKind.GradientDescent)]
    [TestCase(OptimizerKind.Momentum)]
    [TestCase(OptimizerKind.Adam)]
    public void OwnedNormAndOptimizerStepMatchTheSerialKernels(OptimizerKind kind)
    {
        Optimizer optimizer = kind switch
        {
            OptimizerKind.Momentum => Optimizer.WithMomentum(0.05f, 0.9f),
            OptimizerKind.Adam => Optimizer.Adam(0.01f).WithWeightDecay(1e-3f),
            _ => Optimizer.GradientDescent(0.1f).WithWeightDecay(1e-3f),
        };
        const int n = 100_003;
        float[] p0 = Values(n, 16), g0 = Values(n, 17, 1f), m0 = Values(n, 18, 0.1f), v0 = Values(n, 19, 0.1f);
        for (int i = 0; i < n; i++) v0[i] = Math.Abs(v0[i]);
        double squares = ReductionKernels.SumOfSquares(g0);
        float[] serial = (float[])p0.Clone(), sg = (float[])g0.Clone(), sm = (float[])m0.Clone(), sv = (float[])v0.Clone();
        switch (kind)
        {
            case OptimizerKind.GradientDescent: OptimizerKernels.GradientDescent(serial, sg, 0.1f, 1e-3f, 0.7f); break;
            case OptimizerKind.Momentum: OptimizerKernels.Momentum(serial, sm, sg, 0.05f, 0.9f, false, 0f, 0.7f); break;
            default: OptimizerKernels.Adam(serial, sm, sv, sg, 0.01f, 0.9f, 0.999f, 1e-8f, 1e-3f, 3, 0.7f); break;
        }
        foreach (int threads in new[] { 1, 2, 3 })
        {
            using var backend = new CpuBackend(threads);
            CpuPartition partition = OddPartition(threads, n);
            DeviceBuffer p = Put(backend, p0), g = Put(backend, g0), m1 = Put(backend, m0), m2 = Put(backend, v0);
            Assert.That(backend.SumOfSquares(CpuBackend.Span(g.All), partition), Is.EqualTo(squares), $"norm, {threads} threads");
            backend.OptimizerStep(optimizer, p.All, g.All, m1.All, m2.All, step: 3, gradientScale: 0.7f, partition);
            Assert.That(Get(backend, p), Is.EqualTo(serial), $"parameters, {threads} threads");
            Assert.That(Get(backend, g), Is.All.EqualTo(0f), $"gradients cleared, {threads} threads");
            if (kind != OptimizerKind.GradientDescent) Assert.That(Get(backend, m1), Is.EqualTo(sm), $"moment 1, {threads} threads");
            if (kind == OptimizerKind.Adam) Assert.That(Get(backend, m2), Is.EqualTo(sv), $"moment 2, {threads} threads");
        }
    }

    [Test]
    public void PartitionRejectsRangesThatDoNotTileTheArray()
    {
        Assert.That(() => new CpuPartition(2, 10, new[] { (0, 4, 0), (4, 5, 1) }),
            Throws.ArgumentException.With.Message.Contains("9").And.Message.Contains("10"));
        Assert.That(() => new CpuPartition(2, 10, new[] { (0, 4, 0), (4, 7, 1) }), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => new CpuPartition(2, 10, new[] { (0, 4, 0), (4, 6, 2) }), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void PartitionListsEachParticipantsRangesAndTheNormBlocksThatStartInThem()
    {
        int block = ReductionKernels.SumOfSquaresBlock;
        var partition = new CpuPartition(2, 3 * block, new[] { (block + 1, 2 * block - 1, 0), (0, block + 1, 1) });
        Assert.That(partition.Ranges(0), Is.EqualTo((0, 1)));
        Assert.That(partition.RangeStart(0), Is.EqualTo(block + 1));
        Assert.That(partition.RangeLength(1), Is.EqualTo(block + 1));
        (int first, int end) = partition.Blocks(0);
        Assert.That(end - first, Is.EqualTo(1));
        Assert.That(partition.Block(first), Is.EqualTo(2));
        (first, end) = partition.Blocks(1);
        Assert.That(new[] { partition.Block(first), partition.Block(first + 1) }, Is.EqualTo(new[] { 0, 1 }));
    }
}
