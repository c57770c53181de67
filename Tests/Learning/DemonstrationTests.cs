using System;
using System.IO;
using Cortex.Autodiff;
using Cortex.Learning;
using Cortex.Serialization;
using MemoryPack;
using NUnit.Framework;
using static Cortex.Tests.Learning.PolicyObjectiveGraphs;

namespace Cortex.Tests.Learning;

[TestFixture]
public sealed class DemonstrationTests
{
    private static Demonstration Sample(int steps = 30)
    {
        var recorder = new DemonstrationRecorder(3, ActionSpec.Hybrid(1, 2, 3), initialCapacity: 4);
        var random = new SeededRandom(1);
        for (int t = 0; t < steps; t++)
        {
            float[] o = { random.NextFloat(-1f, 1f), random.NextFloat(-1f, 1f), t };
            float[] a = { random.NextInt(2), random.NextInt(3), random.NextFloat(-1f, 1f) };
            recorder.Record(o, a, random.NextFloat(), t % 10 == 9 ? EpisodeEnd.Terminated : EpisodeEnd.None);
        }
        return recorder.ToDemonstration("test");
    }

    [Test]
    public void RoundTripsThroughAFileAtomically()
    {
        Demonstration demo = Sample();
        string dir = Path.Combine(Path.GetTempPath(), "cortex-demo-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string path = Path.Combine(dir, "play.cdemo");
            demo.Save(path);
            demo.Save(path);   // replacing works too
            Demonstration back = Demonstration.Load(path);
            Assert.That(back.Name, Is.EqualTo("test"));
            Assert.That(back.Steps, Is.EqualTo(30));
            Assert.That(back.Episodes, Is.EqualTo(3));
            Assert.That(back.Actions.ToString(), Is.EqualTo(demo.Actions.ToString()));
            Assert.That(back.Observations.ToArray(), Is.EqualTo(demo.Observations.ToArray()));
            Assert.That(back.ActionRows.ToArray(), Is.EqualTo(demo.ActionRows.ToArray()));
            Assert.That(back.Rewards.ToArray(), Is.EqualTo(demo.Rewards.ToArray()));
            Assert.That(back.EpisodeEnds.ToArray(), Is.EqualTo(demo.EpisodeEnds.ToArray()));
            Assert.That(back.MeanEpisodeReturn(), Is.EqualTo(demo.MeanEpisodeReturn()));
            Assert.That(Directory.GetFiles(dir), Has.Length.EqualTo(1), "no temporary file left behind");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void BadBytesThrowOnlyDemonstrationFormatException()
    {
        byte[] good = Sample().ToBytes();
        Assert.Throws<DemonstrationFormatException>(() => Demonstration.Read(ReadOnlySpan<byte>.Empty));
        Assert.Throws<DemonstrationFormatException>(() => Demonstration.Read(good.AsSpan(0, good.Length - 1)));
        byte[] flipped = (byte[])good.Clone();
        flipped[^5] ^= 0x10;
        Assert.That(Assert.Throws<DemonstrationFormatException>(() => Demonstration.Read(flipped))!.Field, Is.EqualTo("header.checksum"));
        using Brain brain = Brain.Create(2).Dense(1, Activation.Linear).Build(1);
        var magic = Assert.Throws<DemonstrationFormatException>(() => Demonstration.Read(BrainFile.ToBytes(brain)));
        Assert.That(magic!.Message, Does.Contain("not a Cortex demonstration file"));
        // Every byte flip and every truncation of a valid file is rejected with the one exception type (or read, when the flip is harmless).
        var random = new SeededRandom(9);
        int rejected = 0;
        for (int trial = 0; trial < 3_000; trial++)
        {
            byte[] bad = (byte[])good.Clone();
            int length = bad.Length;
            if (trial % 3 == 0) length = random.NextInt(bad.Length);
            else for (int k = 0; k <= trial % 4; k++) bad[random.NextInt(bad.Length)] = (byte)random.NextInt(256);
            try
            {
                Demonstration.Read(bad.AsSpan(0, length));
            }
            catch (DemonstrationFormatException)
            {
                rejected++;
            }
        }
        Assert.That(rejected, Is.GreaterThan(2_500), "nearly every damaged file is caught (the checksum covers header and payload)");
    }

    [Test]
    public void InconsistentPayloadsAreRejectedWithTheField()
    {
        var dto = new DemonstrationDto
        {
            ObservationSize = 2, BranchSizes = new[] { 3 }, ContinuousSize = 0,
            Observations = new float[4], Actions = new[] { 1f, 7f }, Rewards = new float[2], EpisodeEnds = new byte[2],
        };
        var error = Assert.Throws<DemonstrationFormatException>(() => Demonstration.Read(Wrap(dto)));
        Assert.That(error!.Field, Is.EqualTo("actions"), error.Message);
        dto.Actions = new[] { 1f, 2f };
        dto.Observations = new float[3];
        Assert.That(Assert.Throws<DemonstrationFormatException>(() => Demonstration.Read(Wrap(dto)))!.Field, Is.EqualTo("observations"));
        dto.Observations = new float[4];
        Assert.That(Demonstration.Read(Wrap(dto)).Steps, Is.EqualTo(2), "the repaired payload reads");
    }

    [Test]
    public void RecorderValidatesWhatItRecords()
    {
        var recorder = new DemonstrationRecorder(2, ActionSpec.Discrete(3));
        Assert.Throws<ArgumentException>(() => recorder.Record(new float[3], new float[1], 0f));
        Assert.Throws<ArgumentException>(() => recorder.Record(new float[2], new[] { 3f }, 0f));
        Assert.Throws<ArgumentException>(() => recorder.Record(new[] { float.NaN, 0f }, new[] { 1f }, 0f));
        recorder.Record(new float[2], new[] { 2f }, 1f, EpisodeEnd.Truncated);
        recorder.Record(new float[2], new[] { 0f }, 1f);
        recorder.DiscardUnfinishedEpisode();
        Assert.That(recorder.Steps, Is.EqualTo(1));
        Assert.That(recorder.Episodes, Is.EqualTo(1));
    }

    [Test]
    public void BehaviourCloningLossMatchesTheOracles()
    {
        const int n = 5;
        ActionSpec spec = ActionSpec.Hybrid(2, 3, 2);
        PpoLossTests.Case c = PpoLossTests.MakeCase(spec, n, withMasks: false, seed: 17);
        float[] dOutputs = new float[n * spec.PolicyOutputs];
        double[] dLogStd = new double[spec.ContinuousSize], scratch = new double[spec.DiscreteLogits];
        double loss = BehaviourCloning.Loss(spec, c.Outputs, c.Actions, c.LogStd, n, dOutputs, dLogStd, scratch);
        Node Graph(Graph g, Node[] p)
        {
            Node total = g.Constant(0);
            for (int i = 0; i < n; i++) total = total - LogProb(g, spec, p[0], p[1], n, i, c.Actions, Array.Empty<byte>()).LogProb;
            return total / n;
        }
        double Reference(Matrix[] p)
        {
            double total = 0;
            for (int i = 0; i < n; i++) total -= ReferenceLogProb(spec, p[0], p[1], i, c.Actions, Array.Empty<byte>(), out _);
            return total / n;
        }
        Matrix[] points = PpoLossTests.Points(spec, c, n);
        Assert.That(loss, Is.EqualTo(Reference(points)).Within(1e-5));
        var report = ObjectiveCheck.Run("behaviour cloning (cross-entropy + Gaussian NLL)", Graph, Reference, points, PpoLossTests.Concat(dOutputs, dLogStd));
        Assert.That(report.Passed, Is.True, report.ToString());
    }

    [Test]
    public void BehaviourCloningImitatesAScriptedPlayer()
    {
        // The expert: branch 0 = sign of x (0 or 1), continuous = 0.5·y.
        var recorder = new DemonstrationRecorder(2, ActionSpec.Hybrid(1, 2));
        var random = new SeededRandom(3);
        for (int t = 0; t < 2_000; t++)
        {
            float x = random.NextFloat(-1f, 1f), y = random.NextFloat(-1f, 1f);
            recorder.Record(new[] { x, y }, new[] { x > 0 ? 1f : 0f, 0.5f * y }, 1f, t % 100 == 99 ? EpisodeEnd.Truncated : EpisodeEnd.None);
        }
        using Brain actor = Brain.Create(2).Dense(32, Activation.Tanh).Dense(3, Activation.Linear).Optimizer(Optimizer.Adam(3e-3f)).MaxBatch(64).Build(4);
        var bc = new BehaviourCloning(actor, recorder.ToDemonstration(), new BehaviourCloningOptions { BatchSize = 64 }, seed: 5);
        float first = bc.Step();
        bc.Train(1_500);
        Assert.That(bc.LastLoss, Is.LessThan(first));
        float[] probe = { 0.6f, -0.8f, -0.4f, 0.4f }, outputs = new float[6];
        actor.Predict(probe, outputs, 2);
        Assert.That(outputs[1], Is.GreaterThan(outputs[0]), "x > 0 → action 1");
        Assert.That(outputs[3], Is.GreaterThan(outputs[4]), "x < 0 → action 0");
        Assert.That(outputs[2], Is.EqualTo(-0.4f).Within(0.08), "continuous mean ≈ 0.5·y");
        Assert.That(outputs[5], Is.EqualTo(0.2f).Within(0.08));
    }

    private static byte[] Wrap(DemonstrationDto dto)
    {
        byte[] payload = MemoryPackSerializer.Serialize(dto);
        byte[] file = new byte[BrainFileHeader.Size + payload.Length];
        BrainFileHeader.Write(file, BrainFileFlags.None, payload, BrainFileHeader.DemonstrationMagic, BrainFileHeader.DemonstrationVersion);
        payload.CopyTo(file, BrainFileHeader.Size);
        return file;
    }
}
