using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using Cortex.Realtime;
using NUnit.Framework;

namespace Cortex.Tests.Realtime;

[TestFixture]
public sealed class BackgroundTrainerTests
{
    // Only a safety net for a hung worker; no assertion depends on how fast anything runs.
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private static Brain Regressor(ulong seed) =>
        Brain.Create(3).Dense(16, Activation.Tanh).Dense(2, Activation.Linear)
            .Optimizer(Optimizer.Adam(0.01f)).MaxBatch(64).Build(seed);

    private static void Sample(SeededRandom random, Span<float> x, Span<float> y)
    {
        for (int i = 0; i < 3; i++) x[i] = random.NextFloat(-1, 1);
        y[0] = x[0] * x[1];
        y[1] = x[2] - x[0];
    }

    [Test]
    public void EveryPredictionDuringConcurrentTrainingIsThatOfAPublishedVersion()
    {
        using Brain training = Regressor(1), inference = training.Clone(), verifier = training.Clone();
        var published = new Dictionary<long, float[]>();
        float[] initial = new float[training.ParameterCount];
        training.CopyParametersTo(initial);
        published[0] = initial;
        using var trainer = new BackgroundTrainer(training, new BackgroundTrainerOptions { BatchSize = 16, UpdatesPerTick = 0, Seed = 2 });
        trainer.Published = (version, parameters) =>
        {
            lock (published) published[version] = parameters.ToArray();
        };

        const int agents = 64;
        var random = new SeededRandom(3);
        float[] x = new float[3], y = new float[2], observations = new float[agents * 3], actions = new float[agents * 2];
        for (int i = 0; i < observations.Length; i++) observations[i] = random.NextFloat(-1, 1);
        var records = new List<(long Version, float[] Actions)>();
        var versions = new HashSet<long>();
        trainer.Start();
        var clock = Stopwatch.StartNew();
        for (int tick = 0; tick < 200 || versions.Count < 10; tick++)
        {
            Assert.That(clock.Elapsed, Is.LessThan(Deadline), "the worker made no progress");
            trainer.Pull(inference);
            inference.Predict(observations, actions, agents);
            records.Add((trainer.AcquiredVersion, (float[])actions.Clone()));
            versions.Add(trainer.AcquiredVersion);
            for (int s = 0; s < 4; s++)
            {
                Sample(random, x, y);
                trainer.AddSample(x, y);
            }
            trainer.Tick();
            if (tick % 50 == 49) Thread.Yield();
        }
        trainer.Stop();

        float[] expected = new float[agents * 2];
        foreach ((long version, float[] got) in records)
        {
            float[] parameters;
            lock (published) Assert.That(published.TryGetValue(version, out parameters!), Is.True, $"version {version} was published");
            verifier.SetParameters(parameters);
            verifier.Predict(observations, expected, agents);
            Assert.That(got, Is.EqualTo(expected), $"predictions of version {version}, bit for bit");
        }
        Assert.That(trainer.Stats.Updates, Is.GreaterThan(0));
    }

    [Test]
    public void StopPublishesTheFinalWeights()
    {
        using Brain training = Regressor(4), inference = Regressor(5);
        using var trainer = new BackgroundTrainer(training, new BackgroundTrainerOptions { BatchSize = 8, UpdatesPerTick = 3, PublishEvery = 1000 });
        var random = new SeededRandom(6);
        float[] x = new float[3], y = new float[2];
        for (int i = 0; i < 32; i++)
        {
            Sample(random, x, y);
            trainer.AddSample(x, y);
        }
        trainer.Start();
        for (int tick = 0; tick < 10; tick++) trainer.Tick();
        var clock = Stopwatch.StartNew();
        while (trainer.Stats.Updates < 3 && clock.Elapsed < Deadline) Thread.Sleep(1);
        trainer.Stop();
        Assert.That(trainer.IsRunning, Is.False);

        TrainingStats stats = trainer.Stats;
        Assert.That(stats.Updates, Is.InRange(3, 30), "paced: at most 3 updates per granted tick");
        Assert.That(trainer.Pull(inference), Is.True);
        float[] a = new float[training.ParameterCount], b = new float[training.ParameterCount];
        training.CopyParametersTo(a);
        inference.CopyParametersTo(b);
        Assert.That(b, Is.EqualTo(a));
        Assert.That(training.Steps, Is.EqualTo(stats.Updates));
    }

    [Test]
    public void AWorkerExceptionSurfacesOnTheGameThread()
    {
        using Brain training = Regressor(7);
        using var trainer = new BackgroundTrainer(training, new BackgroundTrainerOptions { BatchSize = 4, UpdatesPerTick = 0 });
        int updates = 0;
        trainer.BeforeUpdate = () =>
        {
            if (++updates == 3) throw new InvalidTimeZoneException("worker failure");
        };
        var random = new SeededRandom(8);
        float[] x = new float[3], y = new float[2];
        for (int i = 0; i < 8; i++)
        {
            Sample(random, x, y);
            trainer.AddSample(x, y);
        }
        trainer.Start();
        var clock = Stopwatch.StartNew();
        InvalidOperationException? caught = null;
        while (caught is null && clock.Elapsed < Deadline)
        {
            try
            {
                trainer.Tick();
                Thread.Sleep(1);
            }
            catch (InvalidOperationException e)
            {
                caught = e;
            }
        }
        Assert.That(caught, Is.Not.Null);
        Assert.That(caught!.InnerException, Is.InstanceOf<InvalidTimeZoneException>());
        Assert.That(trainer.IsRunning, Is.False);
        Assert.That(() => trainer.Pull(training), Throws.InvalidOperationException);
        Assert.That(() => trainer.Stop(), Throws.InvalidOperationException.With.InnerException.InstanceOf<InvalidTimeZoneException>());
        trainer.Dispose();
        Assert.That(() => trainer.Tick(), Throws.InstanceOf<ObjectDisposedException>());
    }

    [Test]
    public void NonFiniteSamplesAreRejectedAndAFullQueueDropsSamples()
    {
        using Brain training = Regressor(9);
        using var trainer = new BackgroundTrainer(training, new BackgroundTrainerOptions { QueueCapacity = 4 });
        Assert.That(trainer.AddSample(new[] { 1f, float.NaN, 0f }, new[] { 0f, 0f }), Is.False);
        for (int i = 0; i < 4; i++) Assert.That(trainer.AddSample(new[] { 1f, 2f, 3f }, new[] { 0f, 0f }), Is.True);
        Assert.That(trainer.AddSample(new[] { 1f, 2f, 3f }, new[] { 0f, 0f }), Is.False, "not started: nobody drains the queue");
        Assert.That(trainer.Stats.RejectedSamples, Is.EqualTo(1));
        Assert.That(trainer.Stats.DroppedSamples, Is.EqualTo(1));
        Assert.That(() => trainer.AddSample(new float[2], new float[2]), Throws.ArgumentException.With.Property("ParamName").EqualTo("input"));
        Assert.That(() => new BackgroundTrainer(training, new BackgroundTrainerOptions { BatchSize = 65 }),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("BatchSize"));
        trainer.Start();
        Assert.That(() => trainer.Start(), Throws.InvalidOperationException);
    }

    [Test]
    public void TheGameThreadSideAllocatesNothingWhileTheWorkerTrains()
    {
        using Brain training = Regressor(10), inference = training.Clone();
        using var trainer = new BackgroundTrainer(training, new BackgroundTrainerOptions { BatchSize = 16, UpdatesPerTick = 2 });
        var random = new SeededRandom(11);
        float[] x = new float[3], y = new float[2], observations = new float[32 * 3], actions = new float[32 * 2];
        void Tick()
        {
            trainer.Pull(inference);
            inference.Predict(observations, actions, 32);
            Sample(random, x, y);
            trainer.AddSample(x, y);
            trainer.Tick();
        }
        trainer.Start();
        for (int i = 0; i < 100; i++) Tick();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 2000; i++) Tick();
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.EqualTo(0));
        trainer.Stop();
    }
}
