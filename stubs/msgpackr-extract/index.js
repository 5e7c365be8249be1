throw new Error('msgpackr-extract is stubbed out in Keiko; msgpackr runs without native acceleration');
