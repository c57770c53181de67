using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using Cortex.Backends;
using Cortex.Serialization;
using NUnit.Framework;
using static Cortex.Tests.Serialization.BrainFileKit;

namespace Cortex.Tests.Serialization;

[TestFixture]
public sealed class BrainFileTests
{
    private string _directory = "";

    [SetUp]
    public void CreateDirectory()
    {
        _directory = Path.Combine(Path.GetTempPath(), "cortex-brainfile-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public void DeleteDirectory()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public void LoadedBrainPredictsBitwiseIdentically()
    {
        foreach (Func<ulong, Brain> make in new Func<ulong, Brain>[] { s => Classifier(s), Regressor })
        {
            using Brain brain = make(3);
            (float[] x, float[] y) = Data(64, brain.Inputs, brain.Outputs, 4);
            Train(brain, 25, x, y, 8);
            string path = Path.Combine(_directory, "brain" + BrainFile.Extension);
            brain.Save(path);
            using Brain loaded = BrainFile.Load(path);
            Assert.That(Predict(loaded, x), Is.EqualTo(Predict(brain, x)), "bit for bit");
            Assert.That(Parameters(loaded), Is.EqualTo(Parameters(brain)));
            Assert.That(loaded.Spec, Is.EqualTo(brain.Spec.WithOptimizer(brain.Optimizer)));
            Assert.That(loaded.Steps, Is.EqualTo(brain.Steps));
        }
    }

    [Test]
    public void ASwishBrainRoundTrips()
    {
        // Swish (kind 9) arrived after format version 1 files were written: a brain with it saves and loads like any other.
        using Brain brain = Brain.Create(3).Dense(6, Activation.Swish).Dense(2, Activation.Swish).Loss(Loss.MeanSquaredError).MaxBatch(8).Build(9);
        (float[] x, float[] y) = Data(16, brain.Inputs, brain.Outputs, 5);
        Train(brain, 10, x, y, 8);
        string path = Path.Combine(_directory, "swish" + BrainFile.Extension);
        brain.Save(path);
        using Brain loaded = BrainFile.Load(path);
        Assert.That(loaded.Spec.Layers[0].Activation, Is.EqualTo(Activation.Swish));
        Assert.That(Predict(loaded, x), Is.EqualTo(Predict(brain, x)), "bit for bit");
    }

    [TestCase(true)]
    [TestCase(false)]
    public void ResumedTrainingMatchesAnUninterruptedRun(bool classifier)
    {
        using Brain original = classifier ? Classifier(11) : Regressor(11);
        (float[] x, float[] y) = Data(128, original.Inputs, original.Outputs, 12);
        Train(original, 30, x, y, 8);
        original.Optimizer = original.Optimizer.WithLearningRate(original.Optimizer.LearningRate * 0.5f);   // a schedule step
        _ = original.Random.NextGaussian();   // leaves a cached Gaussian in the generator state
        byte[] file = BrainFile.ToBytes(original);
        using Brain resumed = BrainFile.Read(file);

        Train(original, 40, x, y, 8);
        Train(resumed, 40, x, y, 8);
        Assert.That(Parameters(resumed), Is.EqualTo(Parameters(original)), "bit for bit after 40 more steps");
        Assert.That(resumed.Steps, Is.EqualTo(original.Steps));
        Assert.That(resumed.Random.NextGaussian(), Is.EqualTo(original.Random.NextGaussian()));
    }

    [Test]
    public void WithoutOptimizerStateTheFileIsSmallerAndTheOptimizerRestarts()
    {
        using Brain brain = Classifier(5);
        (float[] x, float[] y) = Data(64, 4, 3, 6);
        Train(brain, 10, x, y, 8);
        byte[] full = BrainFile.ToBytes(brain, Fixed());
        byte[] slim = BrainFile.ToBytes(brain, Fixed(optimizerState: false));
        Assert.That(slim.Length, Is.LessThan(full.Length - 2 * 4 * brain.ParameterCount + 64));
        using Brain loaded = BrainFile.Read(slim);
        Assert.That(Predict(loaded, x), Is.EqualTo(Predict(brain, x)));
        Assert.That(loaded.Steps, Is.EqualTo(0));
        float[] moment = new float[brain.ParameterCount];
        loaded.Backend.Download(moment, loaded.Arena.Moment1!.All);
        Assert.That(moment, Is.All.EqualTo(0f));
        BrainInfo info = BrainFile.ReadInfo(slim);
        Assert.That(info.HasOptimizerState, Is.False);
        Assert.That(info.TrainingSteps, Is.EqualTo(10));
    }

    [Test]
    public void EverySinkAndSourceCarriesTheSameBytes()
    {
        using Brain brain = Regressor(8);
        byte[] bytes = BrainFile.ToBytes(brain, Fixed());

        var bufferWriter = new ArrayBufferWriter<byte>();
        BrainFile.Write(brain, bufferWriter, Fixed());
        Assert.That(bufferWriter.WrittenSpan.ToArray(), Is.EqualTo(bytes));

        using var memory = new MemoryStream();
        brain.Save(memory, Fixed());
        Assert.That(memory.ToArray(), Is.EqualTo(bytes));

        string path = Path.Combine(_directory, "b.cbrain");
        brain.Save(path, Fixed());
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(bytes));

        float[] x = Data(10, 3, 2, 1).X, expected = Predict(brain, x);
        using (Brain a = BrainFile.Read(bytes)) Assert.That(Predict(a, x), Is.EqualTo(expected));
        using (Brain b = BrainFile.Read(new MemoryStream(bytes))) Assert.That(Predict(b, x), Is.EqualTo(expected));
        using (Brain c = BrainFile.Read(new TrickleStream(bytes))) Assert.That(Predict(c, x), Is.EqualTo(expected));
        using (Brain d = BrainFile.Load(path)) Assert.That(Predict(d, x), Is.EqualTo(expected));
    }

    [Test]
    public void SameBrainAndTimestampGiveIdenticalFiles()
    {
        using Brain a = Classifier(2), b = Classifier(2);
        Assert.That(BrainFile.ToBytes(b, Fixed()), Is.EqualTo(BrainFile.ToBytes(a, Fixed())));
    }

    [Test]
    public void StreamReadStopsAtTheFilesEnd()
    {
        using Brain a = Regressor(1), b = Classifier(2);
        using var stream = new MemoryStream();
        a.Save(stream);
        long first = stream.Position;
        b.Save(stream);
        stream.WriteByte(0x42);
        stream.Position = 0;
        using Brain ra = BrainFile.Read(stream);
        Assert.That(stream.Position, Is.EqualTo(first));
        using Brain rb = BrainFile.Read(stream);
        Assert.That(stream.ReadByte(), Is.EqualTo(0x42));
        Assert.That(Parameters(ra), Is.EqualTo(Parameters(a)));
        Assert.That(Parameters(rb), Is.EqualTo(Parameters(b)));

        var trickle = new TrickleStream(BrainFile.ToBytes(a).AsSpan().ToArray(), chunk: 5);
        using Brain rc = BrainFile.Read(trickle);
        Assert.That(Parameters(rc), Is.EqualTo(Parameters(a)));
    }

    [Test]
    public void MetadataUserDataAndSectionsRoundTrip()
    {
        using Brain brain = Classifier(9);
        (float[] x, float[] y) = Data(32, 4, 3, 9);
        Train(brain, 7, x, y, 8);
        brain.Name = "seeker";
        brain.UserData["map"] = "arena-2";
        brain.UserData["note"] = "ünïcødé ✓ 𝄞";
        brain.Sections["normalizer/mean"] = new[] { 1f, 2f, 3f, 4f };
        brain.Sections["normalizer/variance"] = new[] { 0.5f, 0.25f, 2f, 1f };
        brain.Sections["empty"] = Array.Empty<float>();
        var options = new BrainSaveOptions { Timestamp = FixedTime, UserData = new Dictionary<string, string> { ["map"] = "arena-3", ["run"] = "7" } };
        byte[] file = BrainFile.ToBytes(brain, options);

        using Brain loaded = BrainFile.Read(file);
        Assert.That(loaded.Name, Is.EqualTo("seeker"));
        Assert.That(loaded.UserData, Is.EquivalentTo(new Dictionary<string, string> { ["map"] = "arena-3", ["note"] = "ünïcødé ✓ 𝄞", ["run"] = "7" }));
        Assert.That(loaded.Sections.Keys, Is.EquivalentTo(new[] { "empty", "normalizer/mean", "normalizer/variance" }));
        Assert.That(loaded.Sections["normalizer/variance"], Is.EqualTo(new[] { 0.5f, 0.25f, 2f, 1f }));

        BrainInfo info = BrainFile.ReadInfo(file);
        Assert.That(info.Name, Is.EqualTo("seeker"));
        Assert.That(info.Created, Is.EqualTo(FixedTime));
        Assert.That(info.TrainingSteps, Is.EqualTo(7));
        Assert.That(info.OptimizerSteps, Is.EqualTo(7));
        Assert.That(info.HasRandomState, Is.True);
        Assert.That(info.FormatVersion, Is.EqualTo(BrainFile.FormatVersion));
        Assert.That(info.IsRecurrent, Is.False);
        Assert.That(info.FileLength, Is.EqualTo(file.Length));
        Assert.That(info.Spec, Is.EqualTo(brain.Spec));
        Assert.That(info.Writer, Does.StartWith("Cortex "));
        Assert.That(info.UserData["run"], Is.EqualTo("7"));
        Assert.That(info.SectionNames, Is.EqualTo(new[] { "empty", "normalizer/mean", "normalizer/variance" }));

        var renamed = new BrainSaveOptions { Name = "hider", Timestamp = FixedTime };
        Assert.That(BrainFile.ReadInfo(BrainFile.ToBytes(brain, renamed)).Name, Is.EqualTo("hider"));
    }

    [Test]
    public void ReadInfoSkipsTheWeights()
    {
        using Brain big = Brain.Create(64).Dense(256, Activation.Relu).Dense(256, Activation.Relu).Dense(4, Activation.Linear).Build(1);
        byte[] file = BrainFile.ToBytes(big);
        BrainFile.ReadInfo(file);   // warm up
        long before = GC.GetAllocatedBytesForCurrentThread();
        BrainInfo info = BrainFile.ReadInfo(file);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(info.Spec.ParameterCount, Is.EqualTo(big.ParameterCount));
        Assert.That(allocated, Is.LessThan(file.Length / 20), $"ReadInfo allocated {allocated} bytes for a {file.Length}-byte file");
    }

    [Test]
    public void ReadingAllocatesTwiceTheFileLengthPlusTheBrain()
    {
        using Brain brain = Brain.Create(32).Dense(128, Activation.Relu).Dense(128, Activation.Relu).Dense(8, Activation.Linear)
            .Optimizer(Optimizer.Adam()).MaxBatch(64).Build(3);
        string path = Path.Combine(_directory, "big.cbrain");
        foreach (bool optimizerState in new[] { true, false })
        {
            brain.Save(path, Fixed(optimizerState));
            long length = new FileInfo(path).Length;
            long load = Allocated(() => BrainFile.Load(path).Dispose());
            long build = Allocated(() => Brain.FromSpec(brain.Spec, 0).Dispose());
            TestContext.Out.WriteLine($"optimizer state {optimizerState}: {length}-byte file; Load allocated {load} bytes = {(double)load / length:F2} x the file; " +
                $"{build} of them build the brain, the rest = {(double)(load - build) / length:F2} x the file");
            Assert.That(load - build, Is.LessThanOrEqualTo(2 * length + (64 << 10)), "reading and checking the file");
            Assert.That(load, Is.LessThanOrEqualTo(8 * length + 4 * Workspace.Floats(brain.Spec) + (256 << 10)), "the documented bound");
        }

        static long Allocated(Action action)
        {
            action();   // warm up
            long before = GC.GetAllocatedBytesForCurrentThread();
            action();
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
    }

    [Test]
    public void LoadOptionsOverrideTheBatchLimitAndCapTheWorkspace()
    {
        using Brain brain = Classifier(4);
        byte[] file = BrainFile.ToBytes(brain);
        using (Brain one = BrainFile.Read(file, null, new BrainLoadOptions { MaxBatch = 1 }))
        {
            Assert.That(one.MaxBatch, Is.EqualTo(1));
            float[] x = Data(5, 4, 3, 2).X;
            Assert.That(Predict(one, x), Is.EqualTo(Predict(brain, x)));
        }
        BrainFormatException e = Rejects(file, new BrainLoadOptions { MaxWorkspaceFloats = 100 });
        Assert.That(e.Field, Is.EqualTo("spec.maxBatch"));
        Assert.That(e.Message, Does.Contain("MaxWorkspaceFloats"));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new BrainLoadOptions { MaxBatch = 0 });
    }

    [Test]
    public void LoadsOntoTheGivenBackendAndLeavesItOpen()
    {
        using var backend = new CpuBackend(threads: 2);
        using Brain brain = Classifier(6);
        using (Brain loaded = BrainFile.Read(BrainFile.ToBytes(brain), backend))
        {
            Assert.That(loaded.Backend, Is.SameAs(backend));
        }
        using Brain again = BrainFile.Read(BrainFile.ToBytes(brain), backend);
        float[] x = Data(4, 4, 3, 3).X;
        Assert.That(Predict(again, x), Is.EqualTo(Predict(brain, x)));
    }

    [Test]
    public void SavingRefusesWhatLoadingWouldRefuse()
    {
        using Brain brain = Regressor(3);
        float[] p = Parameters(brain);
        p[3] = 3e38f;   // NaN can no longer be set; a diverged (huge but finite) weight can
        brain.SetParameters(p);
        var e = Assert.Throws<ArgumentException>(() => BrainFile.ToBytes(brain))!;
        Assert.That(e.Message, Does.Contain("parameters[3]"));

        using Brain other = Regressor(3);
        other.Sections["bad"] = new[] { float.PositiveInfinity };
        Assert.Throws<ArgumentException>(() => BrainFile.ToBytes(other));
        other.Sections.Clear();
        other.UserData[new string('k', 300)] = "v";
        Assert.Throws<ArgumentException>(() => BrainFile.ToBytes(other));
        other.UserData.Clear();
        other.Name = new string('n', 2000);
        Assert.Throws<ArgumentException>(() => other.Save(Path.Combine(_directory, "x.cbrain")));
        Assert.That(Directory.GetFiles(_directory), Is.Empty, "nothing touches the disk when the brain cannot be saved");
        Assert.Throws<ArgumentNullException>(() => BrainFile.ToBytes((Brain)null!));
        Assert.Throws<ArgumentException>(() => other.Save(""));
    }

    [Test]
    public void MissingFileIsAnIoErrorNotAFormatError()
    {
        Assert.Throws<FileNotFoundException>(() => BrainFile.Load(Path.Combine(_directory, "missing.cbrain")));
    }
}
