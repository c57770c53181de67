using System;
using System.Buffers.Binary;
using System.IO;
using Cortex.Layers;
using Cortex.Serialization;
using MemoryPack;
using NUnit.Framework;
using static Cortex.Tests.Serialization.BrainFileKit;

namespace Cortex.Tests.Serialization;

/// <summary>Recurrent brains in brain files (format 2): bitwise round trips, the kind check of the two loaders, hostile files.</summary>
[TestFixture]
public sealed class RecurrentFileTests
{
    private const int In = 3, Hidden = 4, Out = 2, Agents = 2, Steps = 5;

    /// <summary>GRU(4) → Dense(5, tanh) → Dense(2), Adam with clipping and weight decay, 4 agents, sequences of 5.</summary>
    internal static RecurrentBrain SmallGru(ulong seed) => Build(gru: true, seed);

    private static RecurrentBrain Build(bool gru, ulong seed, Optimizer? optimizer = null)
    {
        BrainBuilder start = Brain.Create(In);
        RecurrentBrainBuilder builder = gru ? start.Gru(Hidden) : start.Rnn(Hidden, recurrentScale: 1.5f);
        return builder.Dense(5, Activation.Tanh).Dense(Out, Activation.Linear).Loss(Loss.HuberWithDelta(0.5f))
            .Optimizer(optimizer ?? Optimizer.Adam(0.01f).WithGradientClipping(2f).WithWeightDecay(1e-4f)).MaxAgents(4).MaxSequence(Steps).Build(seed);
    }

    /// <summary>A batch of seeded sequences, time-major: inputs (Steps, Agents, In), targets (Steps, Agents, Out).</summary>
    private static (float[] X, float[] Y) Sequences(ulong seed)
    {
        var random = new SeededRandom(seed);
        float[] x = new float[Steps * Agents * In], y = new float[Steps * Agents * Out];
        for (int i = 0; i < x.Length; i++) x[i] = random.NextFloat(-1f, 1f);
        for (int i = 0; i < y.Length; i++) y[i] = random.NextFloat(-1f, 1f);
        return (x, y);
    }

    /// <summary>Trains <paramref name="steps"/> sequence batches drawn from <paramref name="seed"/>.</summary>
    internal static void TrainSteps(RecurrentBrain brain, int steps, ulong seed)
    {
        for (int s = 0; s < steps; s++)
        {
            (float[] x, float[] y) = Sequences(seed + (ulong)s);
            brain.TrainSequence(x, y, default, Agents, Steps, new TruncatedBptt(3, 1));
        }
    }

    private static float[] Parameters(RecurrentBrain brain)
    {
        float[] p = new float[brain.ParameterCount];
        brain.CopyParametersTo(p);
        return p;
    }

    private static float[]? Moment(RecurrentBrain brain, bool second)
    {
        Cortex.Tensors.DeviceBuffer? buffer = second ? brain.Moment2 : brain.Moment1;
        if (buffer is null) return null;
        float[] host = new float[buffer.Length];
        brain.Backend.Download(host, buffer.All);
        return host;
    }

    /// <summary>Outputs and states of three ticks for <see cref="Agents"/> agents from a non-zero state.</summary>
    private static float[] Think(RecurrentBrain brain)
    {
        (float[] x, _) = Sequences(99);
        float[] state = new float[Agents * Hidden], trace = new float[3 * Agents * (Out + Hidden)];
        for (int i = 0; i < state.Length; i++) state[i] = 0.1f * (i % 7) - 0.3f;
        for (int t = 0; t < 3; t++)
        {
            Span<float> at = trace.AsSpan(t * Agents * (Out + Hidden));
            brain.Think(x.AsSpan(t * Agents * In, Agents * In), state, at.Slice(0, Agents * Out), Agents);
            state.CopyTo(at.Slice(Agents * Out, Agents * Hidden));
        }
        return trace;
    }

    private static void AssertSameBits(float[]? expected, float[]? actual, string what)
    {
        Assert.That(actual is null, Is.EqualTo(expected is null), what);
        if (expected is null) return;
        Assert.That(actual!.Length, Is.EqualTo(expected.Length), what);
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"{what}[{i}]: {actual[i]} instead of {expected[i]}");
        }
    }

    [Test]
    public void RoundTripIsBitwiseAndTrainingContinuesIdentically([Values(true, false)] bool gru, [Values(true, false)] bool sgd)
    {
        using RecurrentBrain brain = Build(gru, 5, sgd ? Optimizer.WithMomentum(0.05f, 0.9f) : null);
        TrainSteps(brain, 4, 10);
        brain.Name = "memory";
        brain.UserData["map"] = "maze-3";
        brain.Sections["normalizer/mean"] = new[] { 0.25f, -2f, 3f };

        using RecurrentBrain loaded = BrainFile.ReadRecurrent(BrainFile.ToBytes(brain, Fixed()));
        Assert.That(loaded.Kind, Is.EqualTo(brain.Kind));
        Assert.That((loaded.Inputs, loaded.StateWidth, loaded.Outputs, loaded.MaxAgents, loaded.MaxSteps), Is.EqualTo((In, Hidden, Out, 4, Steps)));
        Assert.That(loaded.RecurrentScale, Is.EqualTo(gru ? 1f : 1.5f));
        Assert.That(loaded.Head.Count, Is.EqualTo(2));
        Assert.That(loaded.Head[0].Activation, Is.EqualTo(Activation.Tanh));
        Assert.That(loaded.Loss, Is.EqualTo(brain.Loss));
        Assert.That(loaded.Optimizer, Is.EqualTo(brain.Optimizer));
        Assert.That(loaded.Steps, Is.EqualTo(4));
        Assert.That(loaded.Name, Is.EqualTo("memory"));
        Assert.That(loaded.UserData["map"], Is.EqualTo("maze-3"));
        Assert.That(loaded.Sections["normalizer/mean"], Is.EqualTo(new[] { 0.25f, -2f, 3f }));
        AssertSameBits(Parameters(brain), Parameters(loaded), "parameters");
        AssertSameBits(Moment(brain, false), Moment(loaded, false), "moment1");
        AssertSameBits(Moment(brain, true), Moment(loaded, true), "moment2");
        AssertSameBits(Think(brain), Think(loaded), "thinking");

        (float[] x, float[] y) = Sequences(77);
        float before = brain.TrainSequence(x, y, default, Agents, Steps, TruncatedBptt.Full);
        float after = loaded.TrainSequence(x, y, default, Agents, Steps, TruncatedBptt.Full);
        Assert.That(BitConverter.SingleToInt32Bits(after), Is.EqualTo(BitConverter.SingleToInt32Bits(before)), "the next step's loss");
        AssertSameBits(Parameters(brain), Parameters(loaded), "parameters after the next step");
        AssertSameBits(Moment(brain, true), Moment(loaded, true), "moment2 after the next step");
    }

    [Test]
    public void SavesAtomicallyToAPathAndStreamsBackToBack()
    {
        using RecurrentBrain first = SmallGru(1);
        using RecurrentBrain second = Build(gru: false, 2);
        TrainSteps(first, 2, 3);
        string directory = Path.Combine(Path.GetTempPath(), "cortex-recurrent-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            string path = Path.Combine(directory, "memory" + BrainFile.Extension);
            second.Save(path);
            first.Save(path);                         // replaces the file
            Assert.That(Directory.GetFiles(directory), Has.Length.EqualTo(1), "no temporary file is left");
            using RecurrentBrain loaded = BrainFile.LoadRecurrent(path);
            AssertSameBits(Parameters(first), Parameters(loaded), "parameters");
            Assert.That(loaded.Steps, Is.EqualTo(2));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }

        using var stream = new MemoryStream();
        first.Save(stream);
        second.Save(stream, new BrainSaveOptions { IncludeOptimizerState = false });
        stream.Position = 0;
        using RecurrentBrain a = BrainFile.ReadRecurrent(stream);
        long end = stream.Position;
        using RecurrentBrain b = BrainFile.ReadRecurrent(stream);
        Assert.That(end, Is.EqualTo(BrainFile.ToBytes(first).Length), "the reader stops right after the first file");
        Assert.That(stream.Position, Is.EqualTo(stream.Length));
        Assert.That((a.Kind, b.Kind), Is.EqualTo((RecurrentKind.Gru, RecurrentKind.Rnn)));
        Assert.That(b.Steps, Is.EqualTo(0), "saved without optimizer state");
        AssertSameBits(Think(second), Think(b), "thinking without optimizer state");
    }

    [Test]
    public void WritesTheSameBytesThroughEveryWriter()
    {
        using RecurrentBrain brain = SmallGru(3);
        byte[] bytes = BrainFile.ToBytes(brain, Fixed());
        Assert.That(BrainFile.ToBytes(brain, Fixed()), Is.EqualTo(bytes), "a fixed timestamp gives byte-identical files");
        var writer = new System.Buffers.ArrayBufferWriter<byte>();
        BrainFile.Write(brain, writer, Fixed());
        Assert.That(writer.WrittenSpan.ToArray(), Is.EqualTo(bytes));
        using var stream = new MemoryStream();
        BrainFile.Write(brain, stream, Fixed());
        Assert.That(stream.ToArray(), Is.EqualTo(bytes));
        Assert.That(BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)), Is.EqualTo(2), "recurrent brains are format 2");
    }

    [Test]
    public void ReadInfoDescribesTheRecurrentLayer()
    {
        using RecurrentBrain brain = Build(gru: false, 4);
        TrainSteps(brain, 3, 6);
        byte[] file = BrainFile.ToBytes(brain, Fixed());
        BrainInfo info = BrainFile.ReadInfo(file);
        Assert.That(info.IsRecurrent, Is.True);
        Assert.That(info.FormatVersion, Is.EqualTo(BrainFile.FormatVersion));
        RecurrentInfo r = info.Recurrent!;
        Assert.That((r.Kind, r.Inputs, r.Units, r.RecurrentScale, r.MaxSequence), Is.EqualTo((RecurrentKind.Rnn, In, Hidden, 1.5f, Steps)));
        Assert.That(info.Spec.Inputs, Is.EqualTo(Hidden), "the spec is the dense head after the recurrent layer");
        Assert.That(info.Spec.Layers.Count, Is.EqualTo(2));
        Assert.That(info.Spec.MaxBatch, Is.EqualTo(4));
        Assert.That(info.OptimizerSteps, Is.EqualTo(3));
        Assert.That(info.HasRandomState, Is.False, "a recurrent brain has no generator");
        Assert.That(info.ToString(), Does.Contain("Rnn(3 -> 4) then 4 -> 5"));
    }

    [Test]
    public void EachLoaderNamesTheOtherForTheWrongKindOfBrain()
    {
        using RecurrentBrain memory = SmallGru(5);
        BrainFormatException e = Assert.Throws<BrainFormatException>(() => BrainFile.Read(BrainFile.ToBytes(memory)).Dispose())!;
        Assert.That(e.Message, Does.Contain("recurrent brain").And.Contain("BrainFile.LoadRecurrent"));
        Assert.That(e.Field, Is.EqualTo("recurrent"));

        using Brain dense = Classifier(6);
        e = Assert.Throws<BrainFormatException>(() => BrainFile.ReadRecurrent(BrainFile.ToBytes(dense)).Dispose())!;
        Assert.That(e.Message, Does.Contain("dense brain").And.Contain("BrainFile.Load"));

        string fixture = Path.Combine(TestContext.CurrentContext.TestDirectory, "Fixtures", "brain-v1.cbrain");
        e = Assert.Throws<BrainFormatException>(() => BrainFile.LoadRecurrent(fixture).Dispose())!;
        Assert.That(e.Message, Does.Contain("BrainFile.Load"), "a format-1 file is a dense brain");
    }

    [Test]
    public void LoadOptionsResizeTheWorkspaces()
    {
        using RecurrentBrain brain = SmallGru(7);
        byte[] file = BrainFile.ToBytes(brain);
        using RecurrentBrain player = BrainFile.ReadRecurrent(file, options: new BrainLoadOptions { MaxBatch = 1, MaxSequence = 1 });
        Assert.That((player.MaxAgents, player.MaxSteps), Is.EqualTo((1, 1)));
        Assert.That(Think(player), Is.EqualTo(Think(brain)).Within(1e-5f), "thinking splits the agents into blocks of one");

        long needed = RecurrentBrain.WorkspaceFloats(In, RecurrentKind.Gru, Hidden, brain.HeadSpecs, 4, Steps);
        BrainFormatException e = Assert.Throws<BrainFormatException>(() =>
            BrainFile.ReadRecurrent(file, options: new BrainLoadOptions { MaxWorkspaceFloats = needed - 1 }).Dispose())!;
        Assert.That(e.Message, Does.Contain("MaxWorkspaceFloats"));
        Assert.That(e.Field, Is.EqualTo("recurrent.maxSequence"));
        BrainFile.ReadRecurrent(file, options: new BrainLoadOptions { MaxWorkspaceFloats = needed }).Dispose();
    }

    [Test]
    public void SavingADivergedBrainThrowsBeforeTheDiskIsTouched()
    {
        using RecurrentBrain brain = SmallGru(8);
        float[] theta = Parameters(brain);
        theta[2] = float.NaN;
        brain.LoadParameters(theta);
        string path = Path.Combine(Path.GetTempPath(), "cortex-recurrent-nan-" + Guid.NewGuid().ToString("N") + BrainFile.Extension);
        ArgumentException e = Assert.Throws<ArgumentException>(() => brain.Save(path))!;
        Assert.That(e.ParamName, Is.EqualTo("brain"));
        Assert.That(File.Exists(path), Is.False);
    }

    [Test]
    public void TruncatedAndFlippedFilesAreRejected()
    {
        using RecurrentBrain brain = SmallGru(9);
        TrainSteps(brain, 1, 2);
        byte[] file = BrainFile.ToBytes(brain, Fixed());
        for (int length = 0; length < file.Length; length += length < 64 ? 1 : 37)
        {
            byte[] cut = file.AsSpan(0, length).ToArray();
            Assert.Throws<BrainFormatException>(() => BrainFile.ReadRecurrent(cut).Dispose(), $"truncated to {length}");
            Assert.Throws<BrainFormatException>(() => BrainFile.ReadRecurrent(new TrickleStream(cut)).Dispose(), $"stream truncated to {length}");
        }
        for (int at = 0; at < file.Length; at += 13)
        {
            byte[] flipped = (byte[])file.Clone();
            flipped[at] ^= 0x10;
            Assert.Throws<BrainFormatException>(() => BrainFile.ReadRecurrent(flipped).Dispose(), $"bit flip at {at}");
        }
    }

    private static byte[] Forge(RecurrentBrain brain, Action<BrainFileDto> mutate, BrainFileFlags? flags = null)
    {
        (BrainFileDto dto, BrainFileFlags f) = RecurrentSnapshot.Capture(brain, Fixed());
        mutate(dto);
        return WithHeader(MemoryPackSerializer.Serialize(dto), flags ?? f);
    }

    private static BrainFormatException RejectsRecurrent(byte[] file)
    {
        BrainFormatException e = Assert.Throws<BrainFormatException>(() => BrainFile.ReadRecurrent(file).Dispose())!;
        // ReadInfo checks the same shape without the numbers; it must never throw anything else.
        try
        {
            BrainFile.ReadInfo(file);
        }
        catch (BrainFormatException)
        {
        }
        return e;
    }

    [TestCase("kind", "recurrent.kind")]
    [TestCase("hidden", "recurrent.hidden")]
    [TestCase("hugeHidden", "recurrent.hidden")]
    [TestCase("scale", "recurrent.recurrentScale")]
    [TestCase("nanScale", "recurrent.recurrentScale")]
    [TestCase("sequence", "recurrent.maxSequence")]
    [TestCase("inputs", "spec.inputs")]
    [TestCase("shortParameters", "parameters")]
    [TestCase("nanParameter", "parameters[1]")]
    [TestCase("shortMoment", "optimizerState.moment1")]
    [TestCase("generator", "randomState")]
    [TestCase("hugeLayers", "recurrent.maxSequence")]
    public void ForgedFieldsAreRejectedWithTheFieldNamed(string forgery, string field)
    {
        using RecurrentBrain brain = SmallGru(10);
        byte[] file = Forge(brain, d =>
        {
            switch (forgery)
            {
                case "kind": d.Recurrent!.Kind = 7; break;
                case "hidden": d.Recurrent!.Hidden = 0; break;
                case "hugeHidden": d.Recurrent!.Hidden = int.MaxValue; break;
                case "scale": d.Recurrent!.RecurrentScale = 2f; break;   // a GRU has no scale
                case "nanScale": d.Recurrent!.RecurrentScale = float.NaN; break;
                case "sequence": d.Recurrent!.MaxSequence = -3; break;
                case "inputs": d.Spec!.Inputs = 0; break;
                case "shortParameters": d.Parameters = d.Parameters![..^1]; break;
                case "nanParameter": d.Parameters![1] = float.NaN; break;
                case "shortMoment": d.OptimizerState!.Moment1 = new float[3]; break;
                case "generator": d.RandomState = new RandomStateDto { S0 = 1 }; break;
                default: d.Recurrent!.MaxSequence = 1 << 20; break;   // a workspace of gigabytes, refused before allocation
            }
        }, forgery == "generator" ? BrainFileFlags.Recurrent | BrainFileFlags.OptimizerState | BrainFileFlags.RandomState : null);
        BrainFormatException e = RejectsRecurrent(file);
        Assert.That(e.Field, Is.EqualTo(field), e.Message);
    }

    [Test]
    public void TheHeaderFlagAndTheFormatVersionMustAgreeWithThePayload()
    {
        using RecurrentBrain brain = SmallGru(11);
        (BrainFileDto dto, BrainFileFlags flags) = RecurrentSnapshot.Capture(brain, Fixed());
        byte[] payload = MemoryPackSerializer.Serialize(dto);

        BrainFormatException e = RejectsRecurrent(WithHeader(payload, flags & ~BrainFileFlags.Recurrent));
        Assert.That(e.Field, Is.EqualTo("recurrent"));
        Assert.That(e.Message, Does.Contain("does not announce"));

        // A format-1 header over a payload with a recurrent layer: format 1 has none.
        byte[] v1 = WithHeader(payload, flags);
        BrainFileHeader.WriteFields(v1, 1, BrainFileHeader.Size, flags, (ulong)payload.Length);
        e = RejectsRecurrent(Resign(v1));
        Assert.That(e.Message, Does.Contain("format 1 has no recurrent layer"));

        // A dense file that announces a recurrent layer it lacks.
        using Brain dense = Regressor(12);
        (BrainFileDto denseDto, BrainFileFlags denseFlags) = BrainSnapshot.Capture(dense, Fixed());
        e = Rejects(WithHeader(MemoryPackSerializer.Serialize(denseDto), denseFlags | BrainFileFlags.Recurrent));
        Assert.That(e.Field, Is.EqualTo("recurrent"));
    }
}
