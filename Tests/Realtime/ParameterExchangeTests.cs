using System;
using System.Threading;
using Cortex.Realtime;
using NUnit.Framework;

namespace Cortex.Tests.Realtime;

[TestFixture]
public sealed class ParameterExchangeTests
{
    [Test]
    public void TheReaderGetsTheNewestPublicationOnce()
    {
        var exchange = new ParameterExchange(new float[] { 0, 0, 0 });
        Assert.That(exchange.AcquiredVersion, Is.EqualTo(0));
        Assert.That(exchange.TryAcquire(), Is.False, "nothing published yet");

        Assert.That(exchange.Publish(new float[] { 1, 1, 1 }), Is.EqualTo(1));
        Assert.That(exchange.Publish(new float[] { 2, 2, 2 }), Is.EqualTo(2));
        Assert.That(exchange.PublishedVersion, Is.EqualTo(2));
        Assert.That(exchange.TryAcquire(), Is.True);
        Assert.That(exchange.AcquiredVersion, Is.EqualTo(2));
        Assert.That(exchange.Acquired.ToArray(), Is.EqualTo(new float[] { 2, 2, 2 }));
        Assert.That(exchange.TryAcquire(), Is.False, "already seen");

        exchange.BackBuffer.Fill(3);
        exchange.Publish();
        Assert.That(exchange.Acquired.ToArray(), Is.EqualTo(new float[] { 2, 2, 2 }), "the reader's buffer does not change under it");
        Assert.That(exchange.TryAcquire(), Is.True);
        Assert.That(exchange.Acquired.ToArray(), Is.EqualTo(new float[] { 3, 3, 3 }));
    }

    [Test]
    public void TryPullLoadsTheWeightsIntoABrain()
    {
        using Brain trainer = Brain.Create(3).Dense(2, Activation.Tanh).MaxBatch(4).Build(1);
        using Brain inference = Brain.Create(3).Dense(2, Activation.Tanh).MaxBatch(4).Build(2);
        float[] initial = new float[trainer.ParameterCount];
        inference.CopyParametersTo(initial);
        var exchange = new ParameterExchange(initial);
        Assert.That(exchange.TryPull(inference), Is.False);
        exchange.Publish(trainer);
        Assert.That(exchange.TryPull(inference), Is.True);
        float[] a = new float[trainer.ParameterCount], b = new float[trainer.ParameterCount];
        trainer.CopyParametersTo(a);
        inference.CopyParametersTo(b);
        Assert.That(b, Is.EqualTo(a));

        using Brain other = Brain.Create(3).Dense(3, Activation.Tanh).MaxBatch(4).Build(3);
        Assert.That(() => exchange.TryPull(other), Throws.ArgumentException.With.Property("ParamName").EqualTo("destination").And.Message.Contains("12").And.Message.Contains("8"));
        Assert.That(() => exchange.Publish(new float[3]), Throws.ArgumentException.With.Property("ParamName").EqualTo("parameters"));
        Assert.That(() => new ParameterExchange(ReadOnlySpan<float>.Empty), Throws.ArgumentException);
    }

    [Test]
    public void AConcurrentReaderNeverSeesATornBuffer()
    {
        // The writer publishes buffers whose every value is the version; a torn read would mix versions.
        const int length = 4096, publications = 20_000;
        var exchange = new ParameterExchange(new float[length]);
        var writer = new Thread(() =>
        {
            for (int v = 1; v <= publications; v++)
            {
                exchange.BackBuffer.Fill(v);
                exchange.Publish();
            }
        });
        writer.Start();
        long last = 0, acquisitions = 0, torn = 0, backwards = 0;
        while (last < publications)
        {
            if (!exchange.TryAcquire()) continue;
            acquisitions++;
            ReadOnlySpan<float> values = exchange.Acquired;
            float expected = exchange.AcquiredVersion;
            foreach (float value in values) if (value != expected) { torn++; break; }
            if (exchange.AcquiredVersion <= last) backwards++;
            last = exchange.AcquiredVersion;
        }
        writer.Join();
        Assert.That(torn, Is.EqualTo(0));
        Assert.That(backwards, Is.EqualTo(0), "versions only move forward");
        Assert.That(acquisitions, Is.GreaterThan(0));
    }
}
