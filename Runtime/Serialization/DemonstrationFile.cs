using System;
using System.IO;
using Cortex.Learning;
using MemoryPack;

namespace Cortex.Serialization;

/// <summary>
/// Demonstration files: the brain file's 32-byte header (own magic "\x89CDEMOS\n", format version,
/// payload length, XxHash64 checksum) followed by a version-tolerant MemoryPack payload. Saving is
/// atomic (<see cref="AtomicFile"/>); reading throws only <see cref="DemonstrationFormatException"/> for bad bytes.
/// </summary>
internal static class DemonstrationFile
{
    private const string Kind = "demonstration file";
    private const string MagicText = "\\x89CDEMOS\\n";

    public static byte[] ToBytes(Demonstration demonstration)
    {
        var dto = new DemonstrationDto
        {
            Name = demonstration.Name,
            ObservationSize = demonstration.ObservationSize,
            BranchSizes = BranchSizes(demonstration.Actions),
            ContinuousSize = demonstration.Actions.ContinuousSize,
            Observations = demonstration.ObservationData,
            Actions = demonstration.ActionData,
            Rewards = demonstration.RewardData,
            EpisodeEnds = demonstration.EndData,
        };
        byte[] payload = MemoryPackSerializer.Serialize(dto);
        if (payload.Length > FormatLimits.MaxPayloadBytes)
        {
            throw new ArgumentException($"The demonstration needs a {payload.Length}-byte payload; a file holds at most {FormatLimits.MaxPayloadBytes}.", nameof(demonstration));
        }
        byte[] file = new byte[BrainFileHeader.Size + payload.Length];
        BrainFileHeader.Write(file, BrainFileFlags.None, payload, BrainFileHeader.DemonstrationMagic, BrainFileHeader.DemonstrationVersion);
        payload.CopyTo(file, BrainFileHeader.Size);
        return file;
    }

    public static void Save(Demonstration demonstration, string path)
    {
        AtomicFile.CheckPath(path);
        AtomicFile.Write(path, ToBytes(demonstration));
    }

    public static Demonstration Load(string path)
    {
        if (path is null) throw new ArgumentNullException(nameof(path));
        return Read(File.ReadAllBytes(path));
    }

    public static Demonstration Read(ReadOnlySpan<byte> data)
    {
        try
        {
            BrainFileHeader header = BrainFileHeader.Parse(data, data.Length >= BrainFileHeader.Size ? data.Length - BrainFileHeader.Size : null, exactLength: true,
                BrainFileHeader.DemonstrationMagic, Kind, MagicText, BrainFileHeader.DemonstrationVersion);
            ReadOnlySpan<byte> payload = data.Slice(BrainFileHeader.Size, (int)header.PayloadLength);
            header.VerifyChecksum(data, payload);
            DemonstrationDto? dto = null;
            int consumed = MemoryPackSerializer.Deserialize(payload, ref dto);
            if (dto is null) throw new DemonstrationFormatException("the payload is a null object", BrainFileHeader.Size);
            if (consumed != payload.Length) throw new DemonstrationFormatException($"{payload.Length - consumed} bytes remain after the payload's last member", BrainFileHeader.Size + consumed);
            return Validate(dto);
        }
        catch (BrainFormatException e)
        {
            throw new DemonstrationFormatException(e.Problem.Replace("brain file", Kind), e.Offset, e.Field, e);
        }
        catch (DemonstrationFormatException)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new DemonstrationFormatException($"the payload could not be decoded ({e.GetType().Name}: {e.Message})", BrainFileHeader.Size, inner: e);
        }
    }

    private static Demonstration Validate(DemonstrationDto dto)
    {
        int[] branches = dto.BranchSizes ?? Array.Empty<int>();
        if (dto.ObservationSize < 1 || dto.ObservationSize > 1 << 20) Fail($"observation size {dto.ObservationSize} is not in [1, 2^20]", "observationSize");
        if (dto.ContinuousSize < 0 || dto.ContinuousSize > 1 << 16) Fail($"continuous size {dto.ContinuousSize} is not in [0, 2^16]", "continuousSize");
        if (branches.Length > 1 << 16) Fail($"{branches.Length} branches are too many", "branchSizes");
        for (int b = 0; b < branches.Length; b++) if (branches[b] < 2 || branches[b] > 1 << 20) Fail($"branch {b} has {branches[b]} actions (2 to 2^20 allowed)", "branchSizes");
        if (branches.Length == 0 && dto.ContinuousSize == 0) Fail("the action spec is empty", "branchSizes");
        float[] observations = dto.Observations ?? Array.Empty<float>(), actions = dto.Actions ?? Array.Empty<float>(), rewards = dto.Rewards ?? Array.Empty<float>();
        byte[] ends = dto.EpisodeEnds ?? Array.Empty<byte>();
        int steps = rewards.Length, actionSize = branches.Length + dto.ContinuousSize;
        if (ends.Length != steps) Fail($"{ends.Length} episode-end flags for {steps} steps", "episodeEnds");
        if ((long)observations.Length != (long)steps * dto.ObservationSize) Fail($"{observations.Length} observation values for {steps} steps of {dto.ObservationSize}", "observations");
        if ((long)actions.Length != (long)steps * actionSize) Fail($"{actions.Length} action values for {steps} steps of {actionSize}", "actions");
        for (int i = 0; i < observations.Length; i++) if (!IsFinite(observations[i])) Fail($"observation value {i} is not finite", "observations");
        for (int i = 0; i < rewards.Length; i++) if (!IsFinite(rewards[i])) Fail($"reward {i} is not finite", "rewards");
        for (int i = 0; i < ends.Length; i++) if (ends[i] > 2) Fail($"episode-end flag {i} is {ends[i]} (0, 1 or 2 allowed)", "episodeEnds");
        for (int t = 0; t < steps; t++)
        {
            for (int b = 0; b < branches.Length; b++)
            {
                float v = actions[t * actionSize + b];
                if (!(v >= 0 && v < branches[b]) || v != Math.Floor(v)) Fail($"step {t}: branch {b} action {v} is not an index below {branches[b]}", "actions");
            }
            for (int c = 0; c < dto.ContinuousSize; c++) if (!IsFinite(actions[t * actionSize + branches.Length + c])) Fail($"step {t}: continuous action {c} is not finite", "actions");
        }
        ActionSpec spec = ActionSpec.Hybrid(dto.ContinuousSize, branches);
        return new Demonstration(dto.Name, dto.ObservationSize, spec, observations, actions, rewards, ends);
    }

    private static int[] BranchSizes(ActionSpec spec)
    {
        int[] sizes = new int[spec.BranchCount];
        for (int b = 0; b < sizes.Length; b++) sizes[b] = spec.BranchSize(b);
        return sizes;
    }

    private static bool IsFinite(float v) => !float.IsNaN(v) && !float.IsInfinity(v);

    private static void Fail(string problem, string field) => throw new DemonstrationFormatException(problem, -1, field);
}
