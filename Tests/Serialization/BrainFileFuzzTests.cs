using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Diagnostics;
using Cortex.Serialization;
using NUnit.Framework;
using static Cortex.Tests.Serialization.BrainFileKit;

namespace Cortex.Tests.Serialization;

/// <summary>
/// Mutates valid brain files of several sizes (tiny to ~60 KB, 200 layers, long strings) — structure-aware edits of
/// decoded fields and of wire slots (see <see cref="StructuredMutator"/>), bit flips, truncations, splices, overwritten
/// and inserted bytes, forged headers — and asserts that reading them throws nothing but <see cref="BrainFormatException"/>, allocates
/// within the documented bound, and finishes. Most mutants are re-signed (payload length and checksum made
/// valid again) so that the payload parser, not just the checksum, sees them.
/// The CI run is bounded; <c>dotnet test Tests -c Release --filter TestCategory=Soak</c> runs a soak of a million cases
/// (<c>CORTEX_FUZZ_CASES</c> and <c>CORTEX_FUZZ_SEED</c> change it).
/// </summary>
[TestFixture]
public sealed class BrainFileFuzzTests
{
    private const int WorkspaceLimit = 4096;
    private static readonly int[] InterestingInts = { 0, 1, -1, 2, 4, 127, 128, 255, 256, 4096, 4097, 65535, 1 << 20, 1 << 28, 1 << 30, int.MaxValue, int.MinValue, -100, -121, -126 };
    private List<byte[]> _bases = null!;
    private int _firstRecurrent;

    [OneTimeSetUp]
    public void MakeBases()
    {
        _bases = new List<byte[]>();
        using (Brain r = Regressor(31))
        {
            (float[] x, float[] y) = Data(32, 3, 2, 32);
            Train(r, 6, x, y, 8);
            r.Name = "fuzz";
            r.UserData["level"] = "3";
            r.UserData["ünï"] = "cødé";
            r.Sections["normalizer/mean"] = new[] { 0.5f, -1f, 2f };
            _bases.Add(BrainFile.ToBytes(r, Fixed()));
        }
        using (Brain c = Classifier(33))
        {
            (float[] x, float[] y) = Data(32, 4, 3, 34);
            Train(c, 4, x, y, 8);
            _bases.Add(BrainFile.ToBytes(c, Fixed()));
            _bases.Add(BrainFile.ToBytes(c, Fixed(optimizerState: false)));
        }
        using (Brain tiny = Brain.Create(1).Dense(1, Activation.BinaryStep).Optimizer(Optimizer.GradientDescent(0.1f)).MaxBatch(2).Build(35))
        {
            _bases.Add(BrainFile.ToBytes(tiny, Fixed()));
        }
        // Larger bases for the structure-aware mutations: ~60 KB of weights and moments, 200 layers, long strings.
        using (Brain medium = Brain.Create(16).Dense(48, Activation.Relu).Dense(48, Activation.Tanh).Dense(4, Activation.Linear).Optimizer(Optimizer.Adam()).MaxBatch(8).Build(36))
        {
            _bases.Add(BrainFile.ToBytes(medium, Fixed()));
        }
        BrainBuilder deep = Brain.Create(2);
        for (int i = 0; i < 200; i++) deep = deep.Dense(2, Activation.Tanh);
        using (Brain layered = deep.Optimizer(Optimizer.WithMomentum(0.1f)).MaxBatch(2).Build(37))
        {
            _bases.Add(BrainFile.ToBytes(layered, Fixed()));
        }
        using (Brain wordy = Brain.Create(2).Dense(2, Activation.Linear).MaxBatch(2).Build(38))
        {
            for (int i = 0; i < 12; i++) wordy.UserData[$"note{i}"] = new string((char)('a' + i), 1000 + 100 * i);
            wordy.Sections["s"] = new float[300];
            _bases.Add(BrainFile.ToBytes(wordy, Fixed()));
        }
        // Recurrent brains (format 2), read with ReadRecurrent: a trained GRU with Adam's state and metadata, an Elman RNN without.
        _firstRecurrent = _bases.Count;
        using (RecurrentBrain gru = RecurrentFileTests.SmallGru(39))
        {
            RecurrentFileTests.TrainSteps(gru, 3, 40);
            gru.Name = "memory";
            gru.UserData["level"] = "2";
            gru.Sections["normalizer/mean"] = new[] { 0.5f, -1f, 2f };
            _bases.Add(BrainFile.ToBytes(gru, Fixed()));
        }
        using (RecurrentBrain rnn = Brain.Create(2).Rnn(3, recurrentScale: 0.5f).Dense(2, Activation.Tanh).Dense(1, Activation.Linear)
            .Optimizer(Optimizer.WithMomentum(0.1f)).MaxAgents(2).MaxSequence(3).Build(41))
        {
            _bases.Add(BrainFile.ToBytes(rnn, Fixed(optimizerState: false)));
        }
    }

    /// <summary>Cases in every CI run (a few seconds).</summary>
    public const int CiCases = 20_000;

    [Test]
    public void MutantsRaiseOnlyBrainFormatException() => Run(CiCases, seed: 20250101);

    /// <summary>On demand only (explicit): a million cases by default.</summary>
    [Test]
    [Explicit("a soak: minutes")]
    [Category("Soak")]
    public void Soak() => Run(Environment("CORTEX_FUZZ_CASES", 1_000_000), (ulong)Environment("CORTEX_FUZZ_SEED", 77));

    private static int Environment(string name, int fallback) =>
        int.TryParse(System.Environment.GetEnvironmentVariable(name), out int value) && value > 0 ? value : fallback;

    private void Run(int cases, ulong seed)
    {
        var random = new SeededRandom(seed);
        var options = new BrainLoadOptions { MaxWorkspaceFloats = WorkspaceLimit };
        for (int b = 0; b < _bases.Count; b++)
        {
            // First-use costs (type initialisers) are not the file's.
            if (b >= _firstRecurrent) BrainFile.ReadRecurrent(_bases[b], null, options).Dispose();
            else BrainFile.Read(_bases[b], null, options).Dispose();
            BrainFile.ReadInfo(_bases[b]);
        }
        int rejected = 0, accepted = 0;
        double maxRatio = 0;
        var fields = new Dictionary<string, int>();
        long maxAllocated = 0;
        var failures = new List<string>();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < cases; i++)
        {
            int index = random.NextInt(_bases.Count);
            (byte[] file, string how) = Mutate(index, random);
            bool recurrent = index >= _firstRecurrent;
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                switch ((i & 3) + (recurrent ? 4 : 0))
                {
                    case 3: case 7: BrainFile.ReadInfo(file); break;
                    case 2: BrainFile.Read(new TrickleStream(file, 97), null, options).Dispose(); break;
                    case 6: BrainFile.ReadRecurrent(new TrickleStream(file, 97), null, options).Dispose(); break;
                    case 4: case 5: BrainFile.ReadRecurrent(file, null, options).Dispose(); break;
                    default: BrainFile.Read(file, null, options).Dispose(); break;
                }
                accepted++;
            }
            catch (BrainFormatException e)
            {
                rejected++;
                string field = e.Field ?? "(payload)";
                int bracket = field.IndexOf('[');
                if (bracket > 0) field = field.Substring(0, bracket);
                fields[field] = fields.TryGetValue(field, out int seen) ? seen + 1 : 1;
            }
            catch (Exception e)
            {
                failures.Add($"case {i} ({how}, {file.Length} bytes): {e.GetType().Name}: {e.Message}");
                continue;
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            long bound = AllocationBound.Total(file.Length, layers: 0, WorkspaceLimit);
            if (allocated > bound) failures.Add($"case {i} ({how}): allocated {allocated} bytes for a {file.Length}-byte file, over the bound {bound}");
            maxAllocated = Math.Max(maxAllocated, allocated);
            if (file.Length >= 256) maxRatio = Math.Max(maxRatio, (double)allocated / file.Length);
        }
        clock.Stop();
        TestContext.Out.WriteLine($"{cases} cases in {clock.Elapsed.TotalSeconds:F2} s ({cases / clock.Elapsed.TotalSeconds:F0}/s): {rejected} rejected, {accepted} still valid; " +
            $"largest allocation {maxAllocated} bytes, largest allocation/file-length ratio {maxRatio:F1} (files of 256+ bytes); " +
            $"{fields.Count} distinct fields blamed: {string.Join(", ", System.Linq.Enumerable.Select(System.Linq.Enumerable.OrderByDescending(fields, f => f.Value), f => $"{f.Key} {f.Value}"))}");
        Assert.That(failures, Is.Empty, string.Join(System.Environment.NewLine, failures.GetRange(0, Math.Min(20, failures.Count))));
        Assert.That(rejected, Is.GreaterThan(cases / 2));
        Assert.That(accepted, Is.GreaterThan(cases / 100), "some mutants stay valid: the mutations reach past the first check");
    }

    private (byte[] File, string How) Mutate(int index, SeededRandom random)
    {
        // Half the cases are structure-aware (fields or wire slots edited, then re-signed); half are byte-level.
        if (random.NextInt(2) == 0) return StructuredMutator.Mutate(_bases[index], random);
        byte[] file = (byte[])_bases[index].Clone();
        int kind = random.NextInt(9);
        string how;
        switch (kind)
        {
            case 0:
                int flips = 1 + random.NextInt(4);
                for (int k = 0; k < flips; k++) file[random.NextInt(file.Length)] ^= (byte)(1 << random.NextInt(8));
                how = $"{flips} bit flips";
                break;
            case 1:
                file = file.AsSpan(0, random.NextInt(file.Length)).ToArray();
                how = $"truncated to {file.Length}";
                break;
            case 2:
                byte[] other = _bases[random.NextInt(_bases.Count)];
                int cut = random.NextInt(file.Length), from = random.NextInt(other.Length);
                var spliced = new byte[cut + other.Length - from];
                file.AsSpan(0, cut).CopyTo(spliced);
                other.AsSpan(from).CopyTo(spliced.AsSpan(cut));
                file = spliced;
                how = $"spliced at {cut}/{from}";
                break;
            case 3:
                int bytes = 1 + random.NextInt(8);
                for (int k = 0; k < bytes; k++)
                {
                    int at = random.NextInt(file.Length);
                    file[at] = random.NextInt(2) == 0 ? (byte)random.NextInt(256) : new byte[] { 0, 0xFF, 0x7F, 0x80, 0x81, 0xFE }[random.NextInt(6)];
                }
                how = $"{bytes} bytes overwritten";
                break;
            case 4:
                int where = BrainFile.HeaderLength + random.NextInt(file.Length - BrainFile.HeaderLength - 4);
                int value = InterestingInts[random.NextInt(InterestingInts.Length)];
                BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(where), value);
                how = $"int {value} at {where}";
                break;
            case 5:
                int insertAt = random.NextInt(file.Length + 1), count = 1 + random.NextInt(16);
                var grown = new byte[file.Length + count];
                file.AsSpan(0, insertAt).CopyTo(grown);
                for (int k = 0; k < count; k++) grown[insertAt + k] = (byte)random.NextInt(256);
                file.AsSpan(insertAt).CopyTo(grown.AsSpan(insertAt + count));
                file = grown;
                how = $"{count} bytes inserted at {insertAt}";
                break;
            case 6:
                int start = random.NextInt(file.Length), length = 1 + random.NextInt(Math.Min(32, file.Length - start));
                var shrunk = new byte[file.Length - length];
                file.AsSpan(0, start).CopyTo(shrunk);
                file.AsSpan(start + length).CopyTo(shrunk.AsSpan(start));
                file = shrunk;
                how = $"{length} bytes deleted at {start}";
                break;
            case 7:
                int a = random.NextInt(file.Length), n = 1 + random.NextInt(Math.Min(64, file.Length - a));
                var doubled = new byte[file.Length + n];
                file.AsSpan(0, a + n).CopyTo(doubled);
                file.AsSpan(a).CopyTo(doubled.AsSpan(a + n));
                file = doubled;
                how = $"{n} bytes repeated at {a}";
                break;
            default:
                ushort version = random.NextInt(4) == 0 ? (ushort)random.NextInt(65536) : (ushort)(1 + random.NextInt(BrainFile.FormatVersion));
                ushort headerLength = random.NextInt(4) == 0 ? (ushort)random.NextInt(65536) : (ushort)BrainFile.HeaderLength;
                var flags = (BrainFileFlags)(random.NextInt(3) == 0 ? (uint)random.NextUInt64() : (uint)random.NextInt(16));
                ulong payload = random.NextInt(3) == 0 ? random.NextUInt64() >> random.NextInt(64) : (ulong)(file.Length - BrainFile.HeaderLength);
                BrainFileHeader.WriteFields(file, version, headerLength, flags, payload);
                return (Resign(file), $"header v{version} h{headerLength} f{(uint)flags:X} p{payload}");
        }
        // Three in four mutants get a valid length and checksum, so the payload parser is what meets them.
        int resign = random.NextInt(4);
        if (resign > 0) file = FixLengthAndResign(file);
        return (file, how + (resign > 0 ? ", re-signed" : ""));
    }
}
