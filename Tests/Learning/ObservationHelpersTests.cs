using System;
using Cortex.Learning;
using NUnit.Framework;

namespace Cortex.Tests.Learning;

[TestFixture]
public sealed class ObservationHelpersTests
{
    [Test]
    public void WriterWritesTypedValuesAndChecksTheLength()
    {
        float[] row = new float[7];
        var w = new ObservationWriter(row);
        w.Add(0.5f);
        w.Add(true);
        w.AddOneHot(1, 3);
        w.AddNormalized(15f, 10f, 20f);
        w.Add(new[] { -2f });
        w.Complete();
        Assert.That(row, Is.EqualTo(new[] { 0.5f, 1f, 0f, 1f, 0f, 0f, -2f }));
        Assert.That(w.Remaining, Is.EqualTo(0));
        var error = Assert.Throws<ArgumentException>(() => { var x = new ObservationWriter(new float[2]); x.Add(new float[3]); });
        Assert.That(error!.Message, Does.Contain("holds 2 values"));
        Assert.Throws<ArgumentException>(() => { var x = new ObservationWriter(new float[2]); x.Add(1f); x.Complete(); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { var x = new ObservationWriter(new float[3]); x.AddOneHot(3, 3); });
    }

    [Test]
    public void StackWritesTheNewestFramesFirst()
    {
        var stack = new ObservationStack(frameSize: 2, frames: 3);
        float[] row = new float[6];
        stack.Push(new[] { 1f, 1f });
        stack.CopyTo(row);
        Assert.That(row, Is.EqualTo(new[] { 1f, 1f, 0f, 0f, 0f, 0f }));
        stack.Push(new[] { 2f, 2f });
        stack.Push(new[] { 3f, 3f });
        stack.Push(new[] { 4f, 4f });
        stack.CopyTo(row);
        Assert.That(row, Is.EqualTo(new[] { 4f, 4f, 3f, 3f, 2f, 2f }));
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) { stack.Push(row.AsSpan(0, 2)); stack.CopyTo(row); }
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.EqualTo(0));
        stack.Clear();
        stack.CopyTo(row);
        Assert.That(row, Is.All.EqualTo(0f));
        Assert.Throws<ArgumentException>(() => stack.Push(new float[3]));
    }
}
